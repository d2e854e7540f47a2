// Message types for the proto-binary and proto-json tests: every kind those read and write
// themselves (All, Leaf), the shapes they leave to protobuf-es, a proto2 file, and a fixed-seed
// generator of All messages.
import { create, createFileRegistry, type DescMessage, type Message } from '@bufbuild/protobuf';
import {
  type FieldDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as T,
} from '@bufbuild/protobuf/wkt';

type FieldInit = Partial<Omit<FieldDescriptorProto, '$typeName'>>;
const field = (name: string, number: number, type: T, more: FieldInit = {}): FieldInit => ({
  name,
  number,
  type,
  label: Label.OPTIONAL,
  jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
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
export const schema = (name: string) => reg.getMessage(`t.v1.${name}`) as DescMessage;
export const All = schema('All');
export const Leaf = schema('Leaf');

// A fixed-seed generator: every run sees the same messages.
export function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomAll(next: () => number, depth = 0): Message {
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
