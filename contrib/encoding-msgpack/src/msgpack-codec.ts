import type { Codec } from '@kratos/core';
import { Decoder, Encoder } from '@msgpack/msgpack';

/** Media types read as MessagePack; register the extra with `registry.register(msgpackCodec, ...MSGPACK_CONTENT_TYPES.slice(1))`. */
export const MSGPACK_CONTENT_TYPES: readonly string[] = ['application/msgpack', 'application/x-msgpack'];

/** Options of {@link createMsgpackCodec}. */
export interface MsgpackCodecOptions {
  /** Write object keys sorted, so equal maps give equal bytes whatever their key order. Default false. */
  sortKeys?: boolean;
  /** Read and write 64-bit integers as `bigint`. Default false (numbers). */
  useBigInt64?: boolean;
  /** Upper bounds on what one message may declare, so a forged length cannot exhaust memory. */
  limits?: {
    /** Default 16 MiB. */
    maxStrLength?: number;
    /** Default 16 MiB. */
    maxBinLength?: number;
    /** Default 1,000,000 items. */
    maxArrayLength?: number;
    /** Default 1,000,000 entries. */
    maxMapLength?: number;
  };
}

const MIB16 = 16 * 1024 * 1024;

/**
 * MessagePack on `@msgpack/msgpack`: name `msgpack`, content type `application/msgpack`. Empty
 * input gives `{}` (an empty body is an empty message), like the JSON codec; truncated input,
 * trailing bytes and reserved type bytes throw.
 */
export function createMsgpackCodec(options: MsgpackCodecOptions = {}): Codec {
  const useBigInt64 = options.useBigInt64 ?? false;
  const limits = options.limits ?? {};
  // Encoder and Decoder instances keep their buffers between calls; each call is synchronous.
  const encoder = new Encoder({ sortKeys: options.sortKeys ?? false, useBigInt64, ignoreUndefined: true });
  const decoder = new Decoder({
    useBigInt64,
    maxStrLength: limits.maxStrLength ?? MIB16,
    maxBinLength: limits.maxBinLength ?? MIB16,
    maxArrayLength: limits.maxArrayLength ?? 1_000_000,
    maxMapLength: limits.maxMapLength ?? 1_000_000,
  });
  return {
    name: 'msgpack',
    contentType: 'application/msgpack',
    marshal(value) {
      try {
        // encode() returns a view into the encoder's reusable buffer: copy it out.
        return encoder.encode(value).slice();
      } catch (error) {
        throw new TypeError(`msgpack codec: ${(error as Error).message}`, { cause: error });
      }
    },
    unmarshal(data) {
      if (data.length === 0) return {};
      try {
        return decoder.decode(data);
      } catch (error) {
        throw new TypeError(`msgpack codec: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** The default {@link createMsgpackCodec}. */
export const msgpackCodec: Codec = createMsgpackCodec();
