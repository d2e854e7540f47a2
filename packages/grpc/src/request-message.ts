import { badRequest, type KratosError } from '@kratos/core';

/**
 * What a request deserializer returns for bytes it cannot parse. grpc-js answers INTERNAL for a
 * throwing deserializer, so the failure is carried to the handler wrapper, which answers
 * INVALID_ARGUMENT with a Kratos error instead.
 */
export class InvalidMessage {
  readonly error: KratosError;
  constructor(error: KratosError) {
    this.error = error;
  }
}

export function safeDeserializer<T>(
  deserialize: (bytes: Buffer) => T,
): (bytes: Buffer) => T | InvalidMessage {
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      return new InvalidMessage(badRequest('CODEC', `invalid request message: ${detail}`));
    }
  };
}
