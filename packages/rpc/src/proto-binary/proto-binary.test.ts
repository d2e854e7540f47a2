// proto-binary against protobuf-es: for every message it writes the bytes toBinary writes, and
// for every input it reads the message fromBinary reads (or fails as fromBinary fails).
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
} from '@bufbuild/protobuf';
import {
  type FieldDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as T,
} from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { decodeBinary, encodeBinary, readsAndWritesItself } from './index.ts';

type FieldInit = Partial<Omit<FieldDescriptorProto, '$typeName'>>;
const field = (name: string, number: number, type: T, more: FieldInit = {}): FieldInit => ({
  name,
  number,
  type,
  label: Label.OPTIONAL,
  jsonName: name,
  ...more,
});
const repeated = { label: Label.REPEATED };

function registry() {
  const proto3 = create(FileDescriptorProtoSchema, {
    name: 't/v1/shapes.proto',
    package: 't.v1',
    syntax: 'proto3',
    enumType: [
      {
        name: 'Color',
        value: [
          { name: 'COLOR_UNSPECIFIED', number: 0 },
          { name: 'RED', number: 1 },
        ],
      },
    ],
    messageType: [
      {
        name: 'All',
        field: [
          field('s', 1, T.STRING),
          field('b', 2, T.BYTES),
          field('flag', 3, T.BOOL),
          field('i32', 4, T.INT32),
          field('u32', 5, T.UINT32),
          field('si32', 6, T.SINT32),
          field('f32', 7, T.FIXED32),
          field('sf32', 8, T.SFIXED32),
          field('fl', 9, T.FLOAT),
          field('d', 10, T.DOUBLE),
          field('color', 11, T.ENUM, { typeName: '.t.v1.Color' }),
          field('child', 12, T.MESSAGE, { typeName: '.t.v1.All' }),
          field('names', 13, T.STRING, repeated),
          field('blobs', 14, T.BYTES, repeated),
          field('children', 15, T.MESSAGE, { ...repeated, typeName: '.t.v1.Leaf' }),
          field('opt', 16, T.INT32, { proto3Optional: true, oneofIndex: 0 }),
          field('opt_s', 17, T.STRING, { proto3Optional: true, oneofIndex: 1 }),
          field('far', 5000, T.STRING),
        ],
        oneofDecl: [{ name: '_opt' }, { name: '_opt_s' }],
      },
      { name: 'Leaf', field: [field('n', 1, T.INT32), field('label', 2, T.STRING)] },
      // Shapes left to protobuf-es: a oneof, a map, a 64-bit integer, a packed list.
      {
        name: 'WithOneof',
        field: [field('a', 1, T.STRING, { oneofIndex: 0 }), field('b', 2, T.INT32, { oneofIndex: 0 })],
        oneofDecl: [{ name: 'choice' }],
      },
      { name: 'WithInt64', field: [field('n', 1, T.INT64), field('s', 2, T.STRING)] },
      { name: 'WithInts', field: [field('ns', 1, T.INT32, repeated)] },
      { name: 'HoldsOneof', field: [field('inner', 1, T.MESSAGE, { typeName: '.t.v1.WithOneof' })] },
    ],
  });
  const proto2 = create(FileDescriptorProtoSchema, {
    name: 't/v1/legacy.proto',
    package: 't.v1',
    syntax: 'proto2',
    messageType: [{ name: 'Legacy', field: [field('s', 1, T.STRING, { defaultValue: 'x' })] }],
  });
  return createFileRegistry(create(FileDescriptorSetSchema, { file: [proto3, proto2] }));
}

const reg = registry();
const schema = (name: string) => reg.getMessage(`t.v1.${name}`) as DescMessage;
const All = schema('All');
const Leaf = schema('Leaf');

// A fixed-seed generator: every run sees the same messages.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomAll(next: () => number, depth = 0): Message {
  const int = (lo: number, hi: number) => Math.floor(lo + next() * (hi - lo + 1));
  const pick = <V>(...vs: V[]) => vs[int(0, vs.length - 1)]!;
  const str = () =>
    pick('', 'a', 'héllo', '日本語', '\u{1f600}', '\ud800 lone', 'x'.repeat(int(0, 300)), String(next()));
  const bytes = () => Uint8Array.from({ length: pick(0, 1, 5, 200) }, () => int(0, 255));
  const m: Record<string, unknown> = {
    s: str(),
    b: bytes(),
    flag: pick(true, false),
    i32: pick(0, 1, -1, 127, 128, -2147483648, 2147483647, int(-1e6, 1e6)),
    u32: pick(0, 1, 4294967295, 2 ** 31, int(0, 1e9)),
    si32: pick(0, -1, 1, -2147483648, 2147483647, int(-1e6, 1e6)),
    f32: pick(0, 1, 4294967295, int(0, 1e9)),
    sf32: pick(0, -1, -2147483648, 2147483647),
    fl: pick(0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, 3.4e38),
    d: pick(0, -0, Math.PI, -1e300, Number.NaN, Number.NEGATIVE_INFINITY, next()),
    color: pick(0, 1, 7, -3),
    names: Array.from({ length: pick(0, 1, 3) }, str),
    blobs: Array.from({ length: pick(0, 2) }, bytes),
    children: Array.from({ length: pick(0, 1, 4) }, () =>
      create(Leaf, { n: int(-5, 5), label: pick('', 'leaf') }),
    ),
    far: pick('', 'far away'),
  };
  if (next() < 0.5) m.opt = pick(0, 5, -5);
  if (next() < 0.5) m.opt_s = pick('', 'set');
  if (depth < 3 && next() < 0.4) m.child = randomAll(next, depth + 1);
  return create(All, m as never);
}

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
