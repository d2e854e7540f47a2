import type { Codec } from '@kratos/core';

/** Options of {@link create__Name__Codec}. */
export interface __Name__CodecOptions {
  /** The media type it writes and answers to. Default `application/x-__name__`. */
  contentType?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Makes the __name__ {@link Codec}: `marshal` turns a JSON-shaped value into bytes, `unmarshal`
 * turns bytes back and throws on malformed input (transports answer 400 `CODEC`).
 *
 * Stand-in: the bytes are JSON text. Replace both functions with the __name__ library's encoder
 * and decoder and keep the contract suite passing.
 */
export function create__Name__Codec(options: __Name__CodecOptions = {}): Codec {
  const contentType = options.contentType ?? 'application/x-__name__';
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(contentType))
    throw new TypeError(`create__Name__Codec: contentType must be a media type, got "${contentType}"`);
  return {
    name: '__name__',
    contentType,
    marshal(value) {
      return encoder.encode(JSON.stringify(value));
    },
    unmarshal(data) {
      return JSON.parse(decoder.decode(data)) as unknown;
    },
  } satisfies Codec;
}
