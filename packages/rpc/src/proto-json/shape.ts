// What reading and writing ProtoJSON needs to know of a plain proto3 message type
// (../proto-binary/shape.ts says which types are plain), described once per type.
import type { DescEnum, DescMessage } from '@bufbuild/protobuf';
import { type Field, HAND_OVER, type Shape, shapeOf } from '../proto-binary/shape.ts';

export interface JsonField {
  readonly field: Field;
  /** The field's JSON name as JSON text, quotes included. */
  readonly key: string;
  /** Enum fields: the enum (absent for other kinds). */
  readonly enum: DescEnum | undefined;
  /** Enum fields: value numbers by JSON name and by proto name (the proto name wins, as there). */
  readonly enumNumbers: Map<string, number> | undefined;
  /** The message type of a message field, looked up on first use (types can refer to themselves). */
  message: JsonShape | undefined;
}

export interface JsonShape {
  readonly shape: Shape;
  /** Fields by number, as protobuf-es writes them. */
  readonly fields: JsonField[];
  /** Fields by proto name and JSON name. */
  readonly keys: Map<string, JsonField>;
  /** Some field has two names, so two keys of one object can set it twice. */
  readonly aliased: boolean;
}

const jsonShapes = new WeakMap<DescMessage, JsonShape | null>();

/** The JSON shape of `schema`, or null when protobuf-es must read and write it. */
export function jsonShapeOf(schema: DescMessage): JsonShape | null {
  const known = jsonShapes.get(schema);
  if (known !== undefined) return known;
  const shape = shapeOf(schema);
  // An index-like JSON name would be put first by JSON.stringify in protobuf-es' output.
  const names = schema.fields.map((f) => f.jsonName);
  if (shape === null || names.some((n) => /^\d+$/.test(n)) || new Set(names).size !== names.length) {
    jsonShapes.set(schema, null);
    return null;
  }
  const keys = new Map<string, JsonField>();
  const byNo = new Map<number, JsonField>();
  let aliased = false;
  for (const f of schema.fields) {
    const e = f.fieldKind === 'enum' ? f.enum : undefined;
    const entry: JsonField = {
      field: shape.byNo[f.number]!,
      key: JSON.stringify(f.jsonName),
      enum: e,
      enumNumbers: e && enumNumbers(e),
      message: undefined,
    };
    byNo.set(f.number, entry);
    // The order protobuf-es fills its key map in, so that a clash resolves the same way.
    keys.set(f.name, entry).set(f.jsonName, entry);
    if (f.name !== f.jsonName) aliased = true;
  }
  const json: JsonShape = { shape, fields: shape.fields.map((f) => byNo.get(f.no)!), keys, aliased };
  jsonShapes.set(schema, json);
  return json;
}

function enumNumbers(e: DescEnum): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const v of e.values) numbers.set(v.jsonName, v.number);
  for (const v of e.values) numbers.set(v.name, v.number);
  return numbers;
}

/** The JSON shape of a message field's type (HAND_OVER when protobuf-es must take it). */
export function messageOf(entry: JsonField): JsonShape {
  if (entry.message !== undefined) return entry.message;
  const shape = jsonShapeOf(entry.field.schema!);
  if (shape === null) throw HAND_OVER;
  entry.message = shape;
  return shape;
}

export { HAND_OVER };
