import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
  type Message,
  protoInt64,
  ScalarType,
} from '@bufbuild/protobuf';
import { isReflectMessage, type ReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { KratosError } from '@kratos/core';

/** Reason of every 400 caused by a request that cannot be decoded or bound (as Go Kratos). */
export const CODEC_REASON = 'CODEC';

/** A 400 `CODEC` error. */
export function codecError(message: string, cause?: unknown): KratosError {
  return new KratosError(400, CODEC_REASON, message, cause === undefined ? {} : { cause });
}

type AnyMessage = Message & Record<string, unknown>;

/** Writes string values (path variables, query parameters) into a request message. */
export type FieldSetter = (root: AnyMessage, values: string | readonly string[]) => void;

const fieldIndex = new WeakMap<DescMessage, Map<string, DescField>>();

/** A message's fields by proto name and by JSON name. */
function fieldsByName(schema: DescMessage): Map<string, DescField> {
  let map = fieldIndex.get(schema);
  if (map === undefined) {
    map = new Map();
    for (const f of schema.fields) {
      map.set(f.name, f);
      map.set(f.jsonName, f);
    }
    fieldIndex.set(schema, map);
  }
  return map;
}

const enumIndex = new WeakMap<DescEnum, Map<string, number>>();

function enumNumber(e: DescEnum, text: string, fieldName: string): number {
  let map = enumIndex.get(e);
  if (map === undefined) {
    map = new Map(e.values.map((v) => [v.name, v.number]));
    enumIndex.set(e, map);
  }
  const n = map.get(text);
  if (n !== undefined) return n;
  if (/^-?\d+$/.test(text)) {
    const v = Number(text);
    if (v >= -0x80000000 && v <= 0x7fffffff) return v;
  }
  throw codecError(`invalid value "${text}" for field ${fieldName}: want a ${e.typeName} name or number`);
}

/** A singular field takes the first of repeated values (Go's `url.Values.Get`). */
function first(values: string | readonly string[]): string {
  return typeof values === 'string' ? values : (values[0] ?? '');
}

const INT = /^[-+]?\d+$/;
const UINT = /^\+?\d+$/;

/** Parses one textual value into the runtime value of a scalar (bigint for 64-bit unless longAsString). */
export function parseScalar(
  type: ScalarType,
  text: string,
  fieldName: string,
  longAsString = false,
): unknown {
  const bad = (want: string): never => {
    throw codecError(`invalid value "${text}" for field ${fieldName}: want ${want}`);
  };
  switch (type) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BOOL:
      if (text === 'true' || text === '1' || text === 'True' || text === 'TRUE' || text === 't') return true;
      if (text === 'false' || text === '0' || text === 'False' || text === 'FALSE' || text === 'f')
        return false;
      return bad('a bool');
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32: {
      if (!INT.test(text)) return bad('an int32');
      const v = Number(text);
      return v >= -0x80000000 && v <= 0x7fffffff ? v : bad('an int32');
    }
    case ScalarType.UINT32:
    case ScalarType.FIXED32: {
      if (!UINT.test(text)) return bad('a uint32');
      const v = Number(text);
      return v <= 0xffffffff ? v : bad('a uint32');
    }
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64: {
      if (!INT.test(text)) return bad('an int64');
      const v = BigInt(text);
      if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) return bad('an int64');
      return longAsString ? v.toString() : protoInt64.parse(v);
    }
    case ScalarType.UINT64:
    case ScalarType.FIXED64: {
      if (!UINT.test(text)) return bad('a uint64');
      const v = BigInt(text);
      if (v > 0xffffffffffffffffn) return bad('a uint64');
      return longAsString ? v.toString() : protoInt64.uParse(v);
    }
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE: {
      if (text === 'NaN') return Number.NaN;
      if (text === 'Infinity') return Number.POSITIVE_INFINITY;
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
      const v = Number(text);
      return text.trim() === '' || Number.isNaN(v) ? bad('a number') : v;
    }
    case ScalarType.BYTES:
      try {
        return base64Decode(text);
      } catch {
        return bad('base64 bytes');
      }
  }
  return bad('a scalar');
}

const WRAPPERS = new Set([
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

/** True for messages that have a one-string JSON form (Timestamp, Duration, FieldMask, wrappers). */
function isTextualMessage(m: DescMessage): boolean {
  return (
    WRAPPERS.has(m.typeName) ||
    m.typeName === 'google.protobuf.Timestamp' ||
    m.typeName === 'google.protobuf.Duration' ||
    m.typeName === 'google.protobuf.FieldMask'
  );
}

/** A message from its textual form (a query value): a WKT's JSON string, or a wrapper's scalar. */
function parseTextualMessage(m: DescMessage, text: string, fieldName: string): ReflectMessage {
  if (WRAPPERS.has(m.typeName)) {
    const inner = m.fields[0]!;
    const value = parseScalar(inner.scalar!, text, fieldName);
    return reflect(m, create(m, { value } as never));
  }
  try {
    return reflect(m, fromJson(m, text));
  } catch (err) {
    throw codecError(`invalid value "${text}" for field ${fieldName}: want a ${m.typeName}`, err);
  }
}

/** Why a field path cannot be bound; `unknown` when a name does not exist (query keys are then ignored). */
export interface BindFailure {
  error: string;
  unknown: boolean;
}

/**
 * The setter for a dotted field path (`user.id`, `labels.key` into a map), or a string saying why
 * the path cannot be bound. Computed once per path variable / query key.
 */
export function compileSetter(schema: DescMessage, dotted: string): FieldSetter | BindFailure {
  const parts = dotted.split('.');
  const chain: DescField[] = [];
  let current: DescMessage | undefined = schema;
  let mapKey: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    if (current === undefined)
      return { error: `"${dotted}": "${parts[i - 1]}" is not a message field`, unknown: false };
    const f = fieldsByName(current).get(parts[i]!);
    if (f === undefined)
      return { error: `"${dotted}": no field "${parts[i]}" in ${current.typeName}`, unknown: true };
    chain.push(f);
    if (f.fieldKind === 'map') {
      if (i !== parts.length - 2) return { error: `"${dotted}": want <map field>.<key>`, unknown: false };
      mapKey = parts[i + 1];
      break;
    }
    current = f.fieldKind === 'message' && !isTextualMessage(f.message) ? f.message : undefined;
    if (i < parts.length - 1 && current === undefined) {
      return { error: `"${dotted}": "${parts[i]}" is not a message field`, unknown: false };
    }
  }
  const last = chain[chain.length - 1]!;
  const name = dotted;
  let write: (r: ReflectMessage, values: string | readonly string[]) => void;
  switch (last.fieldKind) {
    case 'scalar': {
      const { scalar, longAsString } = last;
      if (chain.length === 1 && last.oneof === undefined) {
        // the common case (`{id}`, `?page=2`): a plain property write, no reflection
        const local = last.localName;
        return (root, values) => {
          root[local] = parseScalar(scalar, first(values), name, longAsString);
        };
      }
      write = (r, values) => r.set(last, parseScalar(scalar, first(values), name, longAsString));
      break;
    }
    case 'enum': {
      const e = last.enum;
      write = (r, values) => r.set(last, enumNumber(e, first(values), name));
      break;
    }
    case 'message':
      if (!isTextualMessage(last.message))
        return {
          error: `"${dotted}": message field ${last.message.typeName} cannot be bound from a string`,
          unknown: false,
        };
      write = (r, values) => r.set(last, parseTextualMessage(last.message, first(values), name));
      break;
    case 'list': {
      const item: (text: string) => unknown =
        last.listKind === 'scalar'
          ? (t) => parseScalar(last.scalar, t, name, last.longAsString)
          : last.listKind === 'enum'
            ? (t) => enumNumber(last.enum, t, name)
            : isTextualMessage(last.message)
              ? (t) => parseTextualMessage(last.message, t, name)
              : (_t) => {
                  throw codecError(
                    `field ${name}: repeated ${last.message.typeName} cannot be bound from a string`,
                  );
                };
      write = (r, values) => {
        const list = r.get(last);
        if (typeof values === 'string') list.add(item(values));
        else for (const v of values) list.add(item(v));
      };
      break;
    }
    case 'map': {
      const key = mapKey!;
      const keyValue = parseScalar(last.mapKey, key, name);
      const value: (text: string) => unknown =
        last.mapKind === 'scalar'
          ? (t) => parseScalar(last.scalar, t, name, false)
          : last.mapKind === 'enum'
            ? (t) => enumNumber(last.enum, t, name)
            : isTextualMessage(last.message)
              ? (t) => parseTextualMessage(last.message, t, name)
              : (_t) => {
                  throw codecError(
                    `field ${name}: map of ${last.message.typeName} cannot be bound from a string`,
                  );
                };
      write = (r, values) => r.get(last).set(keyValue as never, value(first(values)));
      break;
    }
  }
  const parents = chain.slice(0, -1);
  return (root, values) => {
    let r = reflect(schema, root, false);
    for (const f of parents) {
      const child = r.get(f) as unknown as ReflectMessage;
      if (!r.isSet(f) || !isReflectMessage(child)) r.set(f, child);
      r = child;
    }
    write(r, values);
  };
}

/** Decodes a protobuf JSON value into a message, turning every failure into 400 `CODEC`. */
export function messageFromJson<T extends Message>(schema: DescMessage, json: JsonValue, what: string): T {
  try {
    return fromJson(schema, json, { ignoreUnknownFields: true }) as T;
  } catch (err) {
    throw codecError(`unmarshal ${what} err: ${(err as Error).message}`, err);
  }
}
