import type { Codec } from '@kratos/core';
import type { MessageCodec, MessageSchema } from '@kratos/core/adapter';
import { isMessageCodec } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';

/** A protobuf message a {@link "@kratos/core/adapter"!MessageCodec | MessageCodec} must round-trip. */
export interface MessageSample {
  /** The message's descriptor (a protobuf-es `DescMessage`). */
  schema: MessageSchema;
  message: unknown;
  /** Compares the decoded message with `message`; default `expect(actual).toEqual(expected)`. */
  equals?(actual: unknown, expected: unknown): void;
}

/** What a codec must round-trip and what it must reject. */
export interface CodecContractOptions {
  /** Values that must survive `unmarshal(marshal(v))`. Default {@link defaultCodecSamples}. */
  samples?: readonly unknown[];
  /** Byte inputs (or text, encoded as UTF-8) that `unmarshal` must reject by throwing. Required: at least one. */
  invalid: readonly (Uint8Array | string)[];
  /** What `unmarshal` of zero bytes gives (JSON: `{}`); checked when set. */
  empty?: unknown;
  /** Compares a decoded value with the sample; default `expect(actual).toEqual(expected)`. */
  equals?(actual: unknown, expected: unknown): void;
  /** The expected `name` (checked when set). */
  name?: string;
  /** The expected `contentType` (checked when set). */
  contentType?: string;
  /** Messages for a {@link "@kratos/core/adapter"!MessageCodec | MessageCodec}'s `marshalMessage` / `unmarshalMessage`. */
  messageSamples?: readonly MessageSample[];
}

/**
 * JSON-shaped values most codecs handle: nested objects, arrays, unicode, numbers, booleans,
 * null inside objects. Codecs with narrower models (form) pass their own samples.
 */
export const defaultCodecSamples: readonly unknown[] = [
  {},
  { name: 'kratos', id: 7, ratio: 0.25, negative: -3, ok: true, off: false, nothing: null },
  { nested: { deeper: { list: [1, 2, 3], empty: [] as unknown[] } }, tags: ['a', 'b'] },
  { text: 'héllo ✓ 世界 🚀', quotes: '"\'\\/', controls: 'line\nnext\ttab', blank: '' },
  { items: [{ id: 1 }, { id: 2, extra: { x: 'y' } }] },
  { big: 9007199254740991, small: 1e-7 },
];

const encoder = new TextEncoder();
const bytes = (x: Uint8Array | string) => (typeof x === 'string' ? encoder.encode(x) : x);
const label = (x: Uint8Array | string) => {
  const s = typeof x === 'string' ? JSON.stringify(x) : `bytes[${[...x.slice(0, 12)].join(',')}]`;
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
};
/** The same bytes at a non-zero offset of a larger buffer, like a slice of Node's pooled socket buffers. */
function atOffset(data: Uint8Array, offset = 7): Uint8Array {
  const backing = new Uint8Array(data.length + offset + 5).fill(0x7b);
  backing.set(data, offset);
  return backing.subarray(offset, offset + data.length);
}

/**
 * Defines a vitest suite checking a {@link Codec}: identity, round trips (also from Node
 * Buffers and from views into larger buffers), determinism, no mutation of inputs, and that
 * malformed input throws an Error (which transports turn into 400 CODEC) rather than crashing.
 */
export function describeCodecContract(codec: Codec, options: CodecContractOptions): void {
  const samples = options.samples ?? defaultCodecSamples;
  const equals = options.equals ?? ((a: unknown, e: unknown) => expect(a).toEqual(e));

  describe(`codec contract: ${codec.name}`, () => {
    it('has a name and a media type', () => {
      expect(typeof codec.name).toBe('string');
      expect(codec.name).toMatch(/^[a-z0-9][a-z0-9.+-]*$/);
      expect(codec.contentType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/i);
      if (options.name !== undefined) expect(codec.name).toBe(options.name);
      if (options.contentType !== undefined) expect(codec.contentType).toBe(options.contentType);
    });

    it('is given at least one sample and one invalid input', () => {
      expect(samples.length).toBeGreaterThan(0);
      expect(options.invalid.length).toBeGreaterThan(0);
    });

    samples.forEach((sample, i) => {
      describe(`sample ${i}`, () => {
        it('round-trips', () => {
          const data = codec.marshal(sample);
          expect(data).toBeInstanceOf(Uint8Array);
          equals(codec.unmarshal(data), sample);
        });

        it('round-trips from a Node Buffer and from a view into a larger buffer', () => {
          const data = codec.marshal(sample);
          equals(codec.unmarshal(Buffer.from(data)), sample);
          equals(codec.unmarshal(atOffset(data)), sample);
        });

        it('marshals the same value to the same bytes', () => {
          expect([...codec.marshal(sample)]).toEqual([...codec.marshal(structuredClone(sample))]);
        });

        it('leaves its inputs unchanged', () => {
          const before = structuredClone(sample);
          const data = codec.marshal(sample);
          expect(sample).toEqual(before);
          const copy = data.slice();
          codec.unmarshal(data);
          expect([...data]).toEqual([...copy]);
        });
      });
    });

    options.invalid.forEach((input) => {
      it(`rejects ${label(input)} with an Error`, () => {
        let thrown: unknown;
        try {
          codec.unmarshal(bytes(input));
        } catch (e) {
          thrown = e;
        }
        expect(thrown, 'unmarshal must throw').toBeInstanceOf(Error);
      });
    });

    if (options.empty !== undefined) {
      it('unmarshals zero bytes to the empty value', () => {
        equals(codec.unmarshal(new Uint8Array(0)), options.empty);
      });
    }

    const messageSamples = options.messageSamples ?? [];
    if (messageSamples.length > 0) {
      it('is a MessageCodec', () => {
        expect(isMessageCodec(codec)).toBe(true);
      });
      messageSamples.forEach((m, i) => {
        it(`round-trips message sample ${i}`, () => {
          const mc = codec as MessageCodec;
          const data = mc.marshalMessage(m.schema, m.message);
          expect(data).toBeInstanceOf(Uint8Array);
          const check = m.equals ?? ((a: unknown, e: unknown) => expect(a).toEqual(e));
          check(mc.unmarshalMessage(m.schema, data), m.message);
          check(mc.unmarshalMessage(m.schema, atOffset(data)), m.message);
        });
      });
    }
  });
}
