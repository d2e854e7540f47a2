// Writing ProtoJSON of the plain proto3 shapes (shape.ts) as text, field by field, without the
// JSON value protobuf-es builds for JSON.stringify. The text is the one toJsonString writes with
// its default options; a message that strays from its descriptor (a value of the wrong type,
// another message type, unknown fields that may be extensions) is written by protobuf-es, which
// writes it or says what is wrong.
import { type DescMessage, type JsonWriteStringOptions, ScalarType, toJsonString } from '@bufbuild/protobuf';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { isSet } from '../proto-binary/shape.ts';
import { HAND_OVER, type JsonField, type JsonShape, jsonShapeOf, messageOf } from './shape.ts';

/** Deeper than this, protobuf-es writes the message (and meets a cycle as it does). */
const MAX_DEPTH = 100;

function finite(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw HAND_OVER;
  return v;
}

function writeValue(entry: JsonField, v: unknown, depth: number): string {
  switch (entry.field.kind) {
    case ScalarType.STRING:
      if (typeof v !== 'string') throw HAND_OVER;
      return JSON.stringify(v);
    case ScalarType.BOOL:
      if (typeof v !== 'boolean') throw HAND_OVER;
      return v ? 'true' : 'false';
    case ScalarType.INT32:
    case ScalarType.UINT32:
    case ScalarType.SINT32:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return String(finite(v));
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      if (typeof v !== 'number') throw HAND_OVER;
      if (Number.isFinite(v)) return String(v);
      return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
    case ScalarType.BYTES:
      if (!(v instanceof Uint8Array)) throw HAND_OVER;
      return `"${base64Encode(v)}"`;
    case 'enum': {
      const n = finite(v);
      const name = entry.enum!.value[n]?.jsonName;
      return name === undefined ? String(n) : JSON.stringify(name);
    }
    case 'message':
      return writeObject(messageOf(entry), v, depth + 1);
  }
}

function writeObject(json: JsonShape, v: unknown, depth: number): string {
  if (depth > MAX_DEPTH || typeof v !== 'object' || v === null) throw HAND_OVER;
  const m = v as Record<string, unknown>;
  // Unknown fields can be extensions, which protobuf-es writes from its registry.
  if (m.$typeName !== json.shape.typeName || m.$unknown !== undefined) throw HAND_OVER;
  let out = '';
  for (const entry of json.fields) {
    const field = entry.field;
    const value = m[field.name];
    let text: string;
    if (field.list) {
      if (!Array.isArray(value)) throw HAND_OVER;
      if (value.length === 0) continue;
      text = '[';
      for (let i = 0; i < value.length; i++)
        text += (i === 0 ? '' : ',') + writeValue(entry, value[i], depth);
      text += ']';
    } else {
      if (!isSet(field, m)) continue;
      text = writeValue(entry, value, depth);
    }
    out += `${out === '' ? '{' : ','}${entry.key}:${text}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

/** The text of `message` when written here; undefined when protobuf-es must write it. */
export function writePlain(schema: DescMessage, message: unknown): string | undefined {
  const json = jsonShapeOf(schema);
  if (json === null) return undefined;
  try {
    return writeObject(json, message, 1);
  } catch (e) {
    if (e !== HAND_OVER) throw e;
    return undefined;
  }
}

/**
 * The ProtoJSON text of `message` (a message of `schema`), the text protobuf-es' toJsonString
 * writes. Options other than `registry` go to protobuf-es.
 */
export function encodeJson(
  schema: DescMessage,
  message: unknown,
  options?: Partial<JsonWriteStringOptions>,
): string {
  const text =
    options?.alwaysEmitImplicit ||
    options?.enumAsInteger ||
    options?.useProtoFieldName ||
    options?.prettySpaces
      ? undefined
      : writePlain(schema, message);
  return text ?? toJsonString(schema, message as never, options);
}
