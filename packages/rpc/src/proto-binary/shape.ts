// Which messages proto-binary (and proto-json) write and read themselves: proto3 messages whose
// fields are all of the kinds below (no oneofs, maps, 64-bit integers or packed lists, no
// well-known types), each described once per message type; and the value rules both share.
import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { Edition, FeatureSet_FieldPresence } from '@bufbuild/protobuf/wkt';

const { EDITION_PROTO3 } = Edition;
const { IMPLICIT, EXPLICIT } = FeatureSet_FieldPresence;

/** The value kinds proto-binary writes and reads itself. */
export type Kind =
  | ScalarType.STRING
  | ScalarType.BYTES
  | ScalarType.BOOL
  | ScalarType.INT32
  | ScalarType.UINT32
  | ScalarType.SINT32
  | ScalarType.FIXED32
  | ScalarType.SFIXED32
  | ScalarType.FLOAT
  | ScalarType.DOUBLE
  | 'enum'
  | 'message';

export interface Field {
  readonly no: number;
  readonly name: string;
  readonly kind: Kind;
  readonly list: boolean;
  /** Explicit presence (proto3 `optional`): written when set, whatever the value. */
  readonly explicit: boolean;
  readonly wireType: number;
  /** The tag's varint bytes. */
  readonly tag: Uint8Array;
  /** The message type of a message field. */
  readonly message: Shape | undefined;
  readonly schema: DescMessage | undefined;
}

export interface Shape {
  readonly schema: DescMessage;
  readonly typeName: string;
  readonly fields: Field[];
  /** Fields by number (sparse). */
  readonly byNo: (Field | undefined)[];
}

const SCALARS: ReadonlySet<ScalarType> = new Set([
  ScalarType.STRING,
  ScalarType.BYTES,
  ScalarType.BOOL,
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.FIXED32,
  ScalarType.SFIXED32,
  ScalarType.FLOAT,
  ScalarType.DOUBLE,
]);

function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
    case ScalarType.FLOAT:
      return 5;
    case ScalarType.DOUBLE:
      return 1;
    case ScalarType.STRING:
    case ScalarType.BYTES:
    case 'message':
      return 2;
    default:
      return 0;
  }
}

const shapes = new WeakMap<DescMessage, Shape | null>();

/** The shape of `schema`, or null when protobuf-es must handle it. */
export function shapeOf(schema: DescMessage): Shape | null {
  const known = shapes.get(schema);
  if (known !== undefined) return known;
  if (schema.file.edition !== EDITION_PROTO3 || schema.typeName.startsWith('google.protobuf.')) {
    shapes.set(schema, null);
    return null;
  }
  const fields: Field[] = [];
  const byNo: (Field | undefined)[] = [];
  const shape: Shape = { schema, typeName: schema.typeName, fields, byNo };
  // Registered before the fields, so that a recursive type finds itself.
  shapes.set(schema, shape);
  for (const f of [...schema.fields].sort((a, b) => a.number - b.number)) {
    const field = fieldOf(f);
    if (field === null || f.number > 1 << 16) {
      shapes.set(schema, null);
      return null;
    }
    fields.push(field);
    byNo[f.number] = field;
  }
  // A message type that refers to one protobuf-es must handle is handled there too.
  if (fields.some((f) => f.kind === 'message' && shapeOf(f.schema!) === null)) {
    shapes.set(schema, null);
    return null;
  }
  return shape;
}

function fieldOf(f: DescField): Field | null {
  if (f.oneof !== undefined) return null;
  let kind: Kind;
  let list = false;
  let schema: DescMessage | undefined;
  switch (f.fieldKind) {
    case 'scalar':
      if (!SCALARS.has(f.scalar)) return null;
      kind = f.scalar as Kind;
      break;
    case 'enum':
      kind = 'enum';
      break;
    case 'message':
      if (f.delimitedEncoding) return null;
      kind = 'message';
      schema = f.message;
      break;
    case 'list':
      // Lists of scalars can come packed or not; strings, bytes and messages only come one by one.
      if (f.listKind === 'message' && !f.delimitedEncoding) {
        kind = 'message';
        schema = f.message;
      } else if (f.listKind === 'scalar' && (f.scalar === ScalarType.STRING || f.scalar === ScalarType.BYTES))
        kind = f.scalar;
      else return null;
      list = true;
      break;
    default:
      return null;
  }
  if (!list && f.presence !== IMPLICIT && f.presence !== EXPLICIT) return null;
  const wireType = wireTypeOf(kind);
  return {
    no: f.number,
    name: f.localName,
    kind,
    list,
    explicit: !list && f.presence === EXPLICIT,
    wireType,
    tag: varintBytes(((f.number << 3) | wireType) >>> 0),
    message: undefined,
    schema,
  };
}

function varintBytes(value: number): Uint8Array {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return Uint8Array.from(out);
}

/** Thrown (never out of proto-binary) when protobuf-es must take over. */
export const HAND_OVER = Symbol('hand over to protobuf-es');

/** Whether messages of `schema` are written and read here (the rest go through protobuf-es). */
export function readsAndWritesItself(schema: DescMessage): boolean {
  return shapeOf(schema) !== null;
}

/** The message type of a message field, resolved on first use (types can refer to themselves). */
export function linked(field: Field): Shape {
  const shape = shapeOf(field.schema!);
  // A type that was fine when a recursive type referring to it was looked at, and was then found
  // to need protobuf-es after all.
  if (shape === null) throw HAND_OVER;
  (field as { message: Shape | undefined }).message = shape;
  return shape;
}

/** The largest finite float32: protobuf-es refuses finite values beyond it for `float` fields. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export function isInt32(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

export function isUint32(v: unknown): v is number {
  return typeof v === 'number' && v >>> 0 === v;
}

/**
 * Whether a singular field is written, in binary and in JSON: with explicit presence when it is
 * set, with implicit presence when it does not hold the zero value (as protobuf-es decides).
 */
export function isSet(field: Field, message: Record<string, unknown>): boolean {
  const v = message[field.name];
  if (field.explicit) return v !== undefined && Object.hasOwn(message, field.name);
  switch (field.kind) {
    case ScalarType.STRING:
      return v !== '';
    case ScalarType.BYTES:
      return !(v instanceof Uint8Array) || v.byteLength > 0;
    case ScalarType.BOOL:
      return v !== false;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return !Object.is(v, 0);
    case 'message':
      return v !== undefined;
    default:
      // Integers, and enums: a proto3 enum's first value is 0.
      return v !== 0;
  }
}
