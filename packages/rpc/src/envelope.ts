// The length-prefixed message framing shared by gRPC, gRPC-Web and Connect streaming: one flags
// byte, a big-endian uint32 length, then the message.

/** Flag bit: the message is compressed with the call's encoding. */
export const FLAG_COMPRESSED = 0x01;
/** Connect streaming: the end-of-stream message (JSON). */
export const FLAG_END_STREAM = 0x02;
/** gRPC-Web: the trailers frame. */
export const FLAG_TRAILERS = 0x80;

/** Receives the frames an {@link EnvelopeReader} cuts. */
export interface FrameTarget {
  frame(flags: number, data: Buffer): void;
}

/** Bytes of an envelope's header: the flags, then the length. */
export const ENVELOPE_HEADER_BYTES = 5;

/** Writes the header of an envelope of `length` message bytes at the start of `out`. */
export function putEnvelopeHeader(out: Uint8Array, flags: number, length: number): void {
  out[0] = flags;
  out[1] = length >>> 24;
  out[2] = (length >>> 16) & 0xff;
  out[3] = (length >>> 8) & 0xff;
  out[4] = length & 0xff;
}

/** Frames `data` with `flags` into one buffer. */
export function encodeEnvelope(flags: number, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(ENVELOPE_HEADER_BYTES + data.byteLength);
  putEnvelopeHeader(out, flags, data.byteLength);
  out.set(data, ENVELOPE_HEADER_BYTES);
  return out;
}

/** Thrown by {@link EnvelopeReader} for a frame longer than the limit. */
export class MessageTooLarge extends Error {
  readonly size: number;
  constructor(size: number, limit: number) {
    super(`message of ${size} bytes exceeds the limit of ${limit}`);
    this.size = size;
  }
}

/**
 * Cuts a byte stream into envelopes. Chunks are kept as they come and joined once per frame, so a
 * message that arrives in one chunk is a subarray of it, never a copy.
 */
export class EnvelopeReader {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes received but not yet part of a whole frame. */
  get pending(): number {
    return this.#length;
  }

  /**
   * Adds a chunk and hands every frame it completes to `target`, in order (throws
   * {@link MessageTooLarge}, or what `target` throws).
   */
  push(chunk: Buffer, target: FrameTarget): void {
    if (this.#length === 0) this.#chunks[0] = chunk;
    else this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length >= 5) {
      const head = this.#chunks.length === 1 ? this.#chunks[0]! : this.#join();
      const size = head.readUInt32BE(1);
      if (size > this.#limit) throw new MessageTooLarge(size, this.#limit);
      if (this.#length < 5 + size) break;
      const all = this.#chunks.length === 1 ? head : this.#join();
      const flags = all[0]!;
      const data = all.subarray(5, 5 + size);
      const rest = all.length - 5 - size;
      if (rest === 0) {
        this.#chunks.length = 0;
        this.#length = 0;
      } else {
        this.#chunks = [all.subarray(5 + size)];
        this.#length = rest;
      }
      target.frame(flags, data);
    }
  }

  #join(): Buffer {
    const all = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [all];
    return all;
  }
}
