// proto-binary against protobuf-es: for every message it writes the bytes toBinary writes, and
// for every input it reads the message fromBinary reads (or fails as fromBinary fails).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { All, Leaf, randomAll, rng, schema } from '../testdata/shapes.ts';
import { decodeBinary, encodeBinary, readsAndWritesItself } from './index.ts';

describe('proto-binary', () => {
  it('takes the plain proto3 shapes and leaves the others to protobuf-es', () => {
    expect(readsAndWritesItself(All)).toBe(true);
    expect(readsAndWritesItself(Leaf)).toBe(true);
    for (const name of ['WithOneof', 'WithInt64', 'WithInts', 'HoldsOneof', 'Legacy'])
      expect(readsAndWritesItself(schema(name))).toBe(false);
  });

  it('writes the bytes protobuf-es writes, for 2,000 generated messages', () => {
    const next = rng(1);
    for (let i = 0; i < 2000; i++) {
      const m = randomAll(next);
      const want = Buffer.from(toBinary(All, m));
      expect(encodeBinary(All, m)).toEqual(want);
      const framed = encodeBinary(All, m, 5);
      expect(framed.length).toBe(want.length + 5);
      expect(framed.subarray(5)).toEqual(want);
    }
  });

  it('reads the messages protobuf-es reads, own properties included', () => {
    const next = rng(2);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(toBinary(All, randomAll(next)));
      const got = decodeBinary(All, bytes) as Record<string, unknown>;
      const want = fromBinary(All, bytes) as unknown as Record<string, unknown>;
      expect(got).toStrictEqual(want);
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    }
  });

  it('reads corrupted input as fromBinary does: the same message or the same error', () => {
    const next = rng(3);
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(toBinary(All, randomAll(next)));
      if (bytes.length === 0) continue;
      const bad = Buffer.from(bytes);
      for (let k = 0; k < 1 + Math.floor(next() * 3); k++)
        bad[Math.floor(next() * bad.length)] = Math.floor(next() * 256);
      const cut = next() < 0.3 ? bad.subarray(0, Math.floor(next() * bad.length)) : bad;
      let want: unknown;
      let wantError: string | undefined;
      try {
        want = fromBinary(All, cut);
      } catch (e) {
        wantError = (e as Error).message;
        failures++;
      }
      if (wantError === undefined) expect(decodeBinary(All, cut)).toStrictEqual(want);
      else expect(() => decodeBinary(All, cut)).toThrow(wantError);
    }
    // The corruption did reach both outcomes.
    expect(failures).toBeGreaterThan(100);
    expect(failures).toBeLessThan(2900);
  });

  it('keeps unknown fields and invalid UTF-8 as protobuf-es does', () => {
    const known = Buffer.from(toBinary(Leaf, create(Leaf, { n: 3, label: 'x' })));
    const unknown = Buffer.concat([known, Buffer.from([0x18, 0x05, 0x22, 0x01, 0x41])]); // fields 3 and 4
    const got = decodeBinary(Leaf, unknown) as { $unknown?: unknown[] };
    expect(got.$unknown).toHaveLength(2);
    expect(got).toStrictEqual(fromBinary(Leaf, unknown));
    // Written back with them, as toBinary does.
    expect(encodeBinary(Leaf, got)).toEqual(Buffer.from(toBinary(Leaf, got as never)));

    const invalid = Buffer.from([0x12, 0x02, 0xc3, 0x28]); // label: an invalid two-byte sequence
    let want: unknown;
    try {
      want = fromBinary(Leaf, invalid);
    } catch (e) {
      want = e;
    }
    if (want instanceof Error) expect(() => decodeBinary(Leaf, invalid)).toThrow(want.message);
    else expect(decodeBinary(Leaf, invalid)).toStrictEqual(want);
  });

  it('hands values of the wrong type to protobuf-es, which reports them', () => {
    for (const wrong of [
      { s: 5 },
      { i32: 1.5 },
      { u32: -1 },
      { flag: 'yes' },
      { child: { $typeName: 'x' } },
    ]) {
      const m = { ...create(All), ...wrong };
      let want: string | undefined;
      try {
        toBinary(All, m as never);
      } catch (e) {
        want = (e as Error).message;
      }
      if (want === undefined) expect(encodeBinary(All, m)).toEqual(Buffer.from(toBinary(All, m as never)));
      else expect(() => encodeBinary(All, m)).toThrow(want);
    }
  });

  it('leaves oneofs, maps, 64-bit integers, packed lists and proto2 to protobuf-es, with the same bytes', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['WithOneof', { choice: { case: 'b', value: 7 } }],
      ['WithInt64', { n: -5n, s: 'x' }],
      ['WithInts', { ns: [1, -2, 300] }],
      ['HoldsOneof', { inner: { choice: { case: 'a', value: 'in' } } }],
      ['Legacy', { s: 'y' }],
    ];
    for (const [name, init] of cases) {
      const s = schema(name);
      const m = create(s, init as never);
      const want = Buffer.from(toBinary(s, m));
      expect(encodeBinary(s, m)).toEqual(want);
      expect(encodeBinary(s, m, 5).subarray(5)).toEqual(want);
      expect(decodeBinary(s, want)).toStrictEqual(fromBinary(s, want));
    }
  });
});
