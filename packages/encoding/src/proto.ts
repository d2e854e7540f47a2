import { create, fromBinary, type Message, type Registry, toBinary } from '@bufbuild/protobuf';
import type { MessageCodec } from '@kratos/core/adapter';
import { asMessageSchema, checkMessage, isMessageValue } from './desc.ts';

/** Options of {@link createProtoCodec}. */
export interface ProtoCodecOptions {
  /**
   * Lets the untyped `marshal(message)` find a message's schema by its `$typeName`. Without it,
   * only `marshalMessage(schema, message)` can encode. Default none.
   */
  registry?: Registry;
}

/**
 * Binary protobuf (Go Kratos' `encoding/proto`): name `proto`, content type
 * `application/x-protobuf`. Encodes through the message's schema (`marshalMessage` /
 * `unmarshalMessage`); `unmarshal` without a schema cannot know the type and throws.
 */
export function createProtoCodec(options: ProtoCodecOptions = {}): MessageCodec {
  const registry = options.registry;
  return {
    name: 'proto',
    contentType: 'application/x-protobuf',
    marshalMessage(schema, message) {
      const desc = asMessageSchema(schema, 'proto');
      checkMessage(desc, message, 'proto');
      const msg = isMessageValue(message) ? (message as Message) : create(desc, message as never);
      return toBinary(desc, msg);
    },
    unmarshalMessage(schema, data) {
      const desc = asMessageSchema(schema, 'proto');
      try {
        // A Buffer input would make bytes fields Buffers; a plain view over the same memory does not copy.
        const view =
          data.constructor === Uint8Array
            ? data
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        return fromBinary(desc, view);
      } catch (error) {
        throw new TypeError(`proto codec: cannot decode ${desc.typeName}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    marshal(value) {
      if (isMessageValue(value)) {
        const desc = registry?.getMessage(value.$typeName);
        if (desc) return toBinary(desc, value as Message);
        throw new TypeError(
          `proto codec: no schema for ${value.$typeName}: use marshalMessage(schema, message) or pass a registry`,
        );
      }
      throw new TypeError(
        `proto codec: can only marshal protobuf messages, got ${value === null ? 'null' : typeof value}; use marshalMessage(schema, message)`,
      );
    },
    unmarshal() {
      throw new TypeError(
        'proto codec: binary protobuf needs its schema: use unmarshalMessage(schema, data)',
      );
    },
  };
}

/** The default {@link createProtoCodec} (no registry). */
export const protoCodec: MessageCodec = createProtoCodec();
