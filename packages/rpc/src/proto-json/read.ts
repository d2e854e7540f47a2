// Reading ProtoJSON of the plain proto3 shapes (shape.ts) from JSON.parse's value
// straight into a message made by protobuf-es' create. Only the canonical form of each value is
// read here; protobuf-es' fromJsonString takes every other input (strings for numbers, enum
// names it must ignore, nulls, unknown keys, duplicate keys) and gives its own message or error.
import {
  create,
  type DescMessage,
  fromJsonString,
  type JsonReadOptions,
  ScalarType,
} from '@bufbuild/protobuf';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { FLOAT32_MAX, isInt32, isUint32 } from '../proto-binary/shape.ts';
import { HAND_OVER, type JsonField, type JsonShape, jsonShapeOf, messageOf } from './shape.ts';

const DEFAULT_RECURSION_LIMIT = 100;

/** Object keys read so far by the current decode (the decode is synchronous). */
let keysRead = 0;

function readValue(entry: JsonField, v: unknown, depth: number, limit: number): unknown {
  switch (entry.field.kind) {
    case ScalarType.STRING:
      if (typeof v !== 'string' || !v.isWellFormed()) throw HAND_OVER;
      return v;
    case ScalarType.BOOL:
      if (typeof v !== 'boolean') throw HAND_OVER;
      return v;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      if (!isInt32(v)) throw HAND_OVER;
      return v;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      if (!isUint32(v)) throw HAND_OVER;
      return v;
    case ScalarType.DOUBLE:
      if (typeof v !== 'number') throw HAND_OVER;
      return v;
    case ScalarType.FLOAT:
      if (typeof v !== 'number' || Math.abs(v) > FLOAT32_MAX) throw HAND_OVER;
      return v;
    case ScalarType.BYTES:
      if (typeof v !== 'string') throw HAND_OVER;
      if (v === '') return new Uint8Array(0);
      try {
        return base64Decode(v);
      } catch {
        throw HAND_OVER;
      }
    case 'enum': {
      if (typeof v === 'string') {
        const n = entry.enumNumbers!.get(v);
        if (n === undefined) throw HAND_OVER;
        return n;
      }
      // Open enums take any int32; closed ones (a proto2 enum) only their values: protobuf-es checks.
      if (!entry.enum!.open || !isInt32(v)) throw HAND_OVER;
      return v;
    }
    case 'message':
      return readObject(messageOf(entry), v, depth + 1, limit);
  }
}

function readObject(json: JsonShape, v: unknown, depth: number, limit: number): Record<string, unknown> {
  if (depth > limit || typeof v !== 'object' || v === null || Array.isArray(v)) throw HAND_OVER;
  const message = create(json.shape.schema) as unknown as Record<string, unknown>;
  const keys = Object.keys(v);
  keysRead += keys.length;
  let seen: Set<JsonField> | undefined;
  for (const key of keys) {
    const entry = json.keys.get(key);
    // JSON null clears a field; protobuf-es knows how, for each kind.
    const value = (v as Record<string, unknown>)[key];
    if (entry === undefined || value === null) throw HAND_OVER;
    if (json.aliased && keys.length > 1) {
      seen ??= new Set();
      if (seen.has(entry)) throw HAND_OVER;
      seen.add(entry);
    }
    const field = entry.field;
    if (field.list) {
      if (!Array.isArray(value)) throw HAND_OVER;
      const items = message[field.name] as unknown[];
      for (const item of value) items.push(readValue(entry, item, depth, limit));
    } else message[field.name] = readValue(entry, value, depth, limit);
  }
  return message;
}

/**
 * The member names in a JSON text that JSON.parse accepted: more than the keys of the parsed
 * value when some object repeats a key (JSON.parse keeps the last; ProtoJSON refuses them).
 */
export function memberNames(text: string): number {
  let count = 0;
  let open = text.indexOf('"');
  while (open >= 0) {
    let close = open;
    for (;;) {
      close = text.indexOf('"', close + 1);
      // Not JSON after all (the caller parsed it first): no count, so no match.
      if (close < 0) return -1;
      let slash = close - 1;
      while (text.charCodeAt(slash) === 0x5c) slash--;
      if ((close - 1 - slash) % 2 === 0) break;
    }
    let next = close + 1;
    let c = text.charCodeAt(next);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++next);
    if (c === 0x3a) count++;
    open = text.indexOf('"', next);
  }
  return count;
}

/**
 * The message of a ProtoJSON `text` in canonical form, read here; undefined when protobuf-es must
 * read it (a shape of its own, a value in another form, a repeated key, text that is not JSON).
 */
export function readPlain(schema: DescMessage, text: string, recursionLimit: number): unknown {
  const json = jsonShapeOf(schema);
  if (json === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  keysRead = 0;
  try {
    const message = readObject(json, value, 1, recursionLimit);
    return keysRead === memberNames(text) ? message : undefined;
  } catch (e) {
    if (e !== HAND_OVER) throw e;
    return undefined;
  }
}

/** A message of `schema` from ProtoJSON text: the message (or error) protobuf-es' fromJsonString gives. */
export function decodeJson(schema: DescMessage, text: string, options?: Partial<JsonReadOptions>): unknown {
  return (
    readPlain(schema, text, options?.recursionLimit ?? DEFAULT_RECURSION_LIMIT) ??
    fromJsonString(schema, text, options)
  );
}
