import type { DescMessage } from '@bufbuild/protobuf';

/** Narrows the `schema: unknown` of core's MessageCodec to a protobuf-es message descriptor. */
export function asMessageSchema(schema: unknown, codec: string): DescMessage {
  const s = schema as Partial<DescMessage> | null;
  if (typeof s !== 'object' || s === null || s.kind !== 'message' || typeof s.typeName !== 'string') {
    throw new TypeError(`${codec} codec: schema must be a protobuf-es message descriptor (DescMessage)`);
  }
  return s as DescMessage;
}

/** True when `value` looks like a protobuf-es v2 message (it carries `$typeName`). */
export function isMessageValue(value: unknown): value is { $typeName: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $typeName?: unknown }).$typeName === 'string'
  );
}

/** Checks a message matches its schema; plain init objects are accepted (the caller creates them). */
export function checkMessage(schema: DescMessage, message: unknown, codec: string): void {
  if (typeof message !== 'object' || message === null) {
    throw new TypeError(
      `${codec} codec: want a ${schema.typeName} message, got ${message === null ? 'null' : typeof message}`,
    );
  }
  if (isMessageValue(message) && message.$typeName !== schema.typeName) {
    throw new TypeError(`${codec} codec: want a ${schema.typeName} message, got ${message.$typeName}`);
  }
}
