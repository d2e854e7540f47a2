import {
  create,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
  type Message,
  ScalarType,
  toJson,
} from '@bufbuild/protobuf';
import type { MessageCodec } from '@kratos/core/adapter';
import { asMessageSchema, checkMessage, isMessageValue } from './desc.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function fail(message: string, cause?: unknown): TypeError {
  return new TypeError(`form codec: ${message}`, cause === undefined ? undefined : { cause });
}

// ---- urlencoded text <-> ordered pairs ------------------------------------------------------

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` escaped, space as `+`. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function queryUnescape(s: string, piece: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch (error) {
    throw fail(`invalid percent-encoding in "${piece.slice(0, 40)}"`, error);
  }
}

/** Parses `a=1&b=2` like Go's `url.ParseQuery` (which also rejects `;` separators). */
export function parseFormPairs(data: Uint8Array | string): [string, string][] {
  let text: string;
  if (typeof data === 'string') text = data;
  else {
    try {
      text = decoder.decode(data);
    } catch (error) {
      throw fail('body is not valid UTF-8', error);
    }
  }
  const pairs: [string, string][] = [];
  if (text === '') return pairs;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    if (piece.includes(';')) throw fail(`invalid semicolon separator in "${piece.slice(0, 40)}"`);
    const eq = piece.indexOf('=');
    const key = queryUnescape(eq === -1 ? piece : piece.slice(0, eq), piece);
    const value = eq === -1 ? '' : queryUnescape(piece.slice(eq + 1), piece);
    if (key !== '') pairs.push([key, value]);
  }
  return pairs;
}

/** Writes pairs sorted by key (as Go's `url.Values.Encode`), values of one key in order. */
export function encodeFormPairs(pairs: readonly (readonly [string, string])[]): string {
  const sorted = pairs
    .map((p, i) => [p, i] as const)
    .sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1]));
  return sorted.map(([[k, v]]) => `${queryEscape(k)}=${queryEscape(v)}`).join('&');
}

// ---- field names: a.b, m[key], list[0].x, tags[] --------------------------------------------

interface Segment {
  name: string;
  /** Written as `[name]`. */
  bracket: boolean;
}

function parseKey(key: string): { segments: Segment[]; forceList: boolean } {
  let k = key;
  let forceList = false;
  if (k.length > 2 && k.endsWith('[]')) {
    k = k.slice(0, -2);
    forceList = true;
  }
  const segments: Segment[] = [];
  let i = 0;
  let start = 0;
  const bad = () => fail(`invalid field name "${key.slice(0, 80)}"`);
  while (i <= k.length) {
    const c = k[i];
    if (c === undefined || c === '.' || c === '[') {
      if (i > start) segments.push({ name: k.slice(start, i), bracket: false });
      else if (c === '.' || (c === undefined && k[i - 1] !== ']')) throw bad();
      if (c === '[') {
        const close = k.indexOf(']', i + 1);
        if (close === -1) throw bad();
        segments.push({ name: k.slice(i + 1, close), bracket: true });
        i = close + 1;
        if (k[i] === '.') i++;
        else if (k[i] !== undefined && k[i] !== '[') throw bad();
        start = i;
        continue;
      }
      start = i + 1;
    }
    i++;
  }
  if (segments.length === 0) throw bad();
  for (const s of segments) if (s.name === '__proto__') throw fail(`field name "__proto__" is not allowed`);
  return { segments, forceList };
}

// ---- generic JSON-shaped values ---------------------------------------------------------------

type Obj = Record<string, unknown>;
const isIndex = (s: Segment | undefined) => s?.bracket === true && /^\d{1,4}$/.test(s.name);
const isPlainObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function setPath(root: Obj, key: string, value: string): void {
  const { segments, forceList } = parseKey(key);
  let node: Obj | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    let slot: string | number = seg.name;
    if (Array.isArray(node)) {
      if (!isIndex(seg)) throw fail(`field "${key}" mixes list and object`);
      slot = Number(seg.name);
      if (slot > node.length) throw fail(`field "${key}": list index ${slot} skips ahead`);
    }
    const holder = node as Record<string | number, unknown>;
    const existing = Array.isArray(node) || Object.hasOwn(node, slot) ? holder[slot] : undefined;
    if (last) {
      if (existing === undefined) holder[slot] = forceList ? [value] : value;
      else if (typeof existing === 'string') holder[slot] = [existing, value];
      else if (Array.isArray(existing) && existing.every((x) => typeof x === 'string')) existing.push(value);
      else throw fail(`field "${key}" is both a value and an object`);
      return;
    }
    if (existing === undefined) {
      const child: Obj | unknown[] = isIndex(segments[i + 1]) ? [] : {};
      holder[slot] = child;
      node = child;
    } else if (typeof existing === 'object' && existing !== null) {
      node = existing as Obj | unknown[];
    } else {
      throw fail(`field "${key}" is both a value and an object`);
    }
  }
}

function scalarText(v: unknown, path: string): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw fail(`field "${path}": ${v} cannot be written`);
      return String(v);
    default:
      throw fail(`field "${path}": a ${typeof v} cannot be written`);
  }
}

const join = (prefix: string, key: string) => (prefix === '' ? key : `${prefix}.${key}`);

function flatten(out: [string, string][], prefix: string, value: unknown, desc?: DescMessage): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === 'object' && item !== null) flatten(out, `${prefix}[${i}]`, item, desc);
      else if (item !== null && item !== undefined) out.push([prefix, scalarText(item, prefix)]);
    });
    return;
  }
  if (typeof value === 'object') {
    if (value instanceof Uint8Array)
      throw fail(`field "${prefix}": bytes must be base64 text in a JSON-shaped value`);
    const fields = desc ? fieldIndex(desc) : undefined;
    for (const [key, v] of Object.entries(value)) {
      const field = fields?.get(key);
      const path = join(prefix, key);
      if (field?.fieldKind === 'map' && isPlainObject(v)) {
        for (const [mk, mv] of Object.entries(v)) {
          const sub = `${path}[${mk}]`;
          if (typeof mv === 'object' && mv !== null) flatten(out, sub, mv, field.message);
          else if (mv !== null && mv !== undefined) out.push([sub, scalarText(mv, sub)]);
        }
      } else {
        const sub = field?.fieldKind === 'message' || field?.fieldKind === 'list' ? field.message : undefined;
        flatten(out, path, v, sub);
      }
    }
    return;
  }
  if (prefix === '') throw fail(`can only marshal an object, got ${typeof value}`);
  out.push([prefix, scalarText(value, prefix)]);
}

// ---- protobuf messages --------------------------------------------------------------------------

const indexCache = new WeakMap<DescMessage, Map<string, DescField>>();
function fieldIndex(desc: DescMessage): Map<string, DescField> {
  let m = indexCache.get(desc);
  if (!m) {
    m = new Map();
    for (const f of desc.fields) {
      m.set(f.jsonName, f);
      if (!m.has(f.name)) m.set(f.name, f);
    }
    indexCache.set(desc, m);
  }
  return m;
}

/** Well-known types written as one value in the JSON mapping. */
const SCALAR_WKT = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
  'google.protobuf.Value',
]);

const BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};

/** A form value as the protobuf JSON mapping wants it (numbers may stay strings there). */
function jsonScalar(field: DescField, kind: 'scalar' | 'enum' | 'message', value: string): JsonValue {
  if (kind === 'enum') {
    if (field.enum?.typeName === 'google.protobuf.NullValue') return null;
    if (/^-?\d+$/.test(value)) return Number(value);
    if (!field.enum?.values.some((v) => v.name === value)) {
      throw fail(
        `field "${field.name}": "${value.slice(0, 40)}" is not a valid ${field.enum?.typeName ?? 'enum'} value`,
      );
    }
    return value;
  }
  if (kind === 'message') {
    const inner = field.message!;
    if (inner.typeName === 'google.protobuf.BoolValue') return boolOf(field, value);
    return value;
  }
  if (field.scalar === ScalarType.BOOL) return boolOf(field, value);
  return value;
}

function boolOf(field: DescField, value: string): boolean {
  const b = BOOLS[value];
  if (b === undefined) throw fail(`field "${field.name}": "${value.slice(0, 40)}" is not a bool`);
  return b;
}

function setMessagePath(root: Obj, schema: DescMessage, key: string, value: string): void {
  const { segments } = parseKey(key);
  let desc = schema;
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const field = fieldIndex(desc).get(seg.name);
    if (!field) return; // unknown fields are ignored, as Go Kratos does
    const last = i === segments.length - 1;
    const json = field.jsonName;
    if (field.fieldKind === 'map') {
      const mapKey = segments[i + 1];
      if (!mapKey || i + 2 !== segments.length) throw fail(`field "${key}": want ${seg.name}[key]=value`);
      node[json] ??= {};
      const map = node[json] as Obj;
      if (mapKey.name === '__proto__') throw fail('map key "__proto__" is not allowed');
      map[mapKey.name] = jsonScalar(field, field.mapKind, value);
      return;
    }
    if (!last) {
      if (field.fieldKind !== 'message' || SCALAR_WKT.has(field.message.typeName)) {
        throw fail(`invalid path "${key}": "${seg.name}" is not a message`);
      }
      const child = node[json];
      if (child !== undefined && !isPlainObject(child))
        throw fail(`field "${key}" is both a value and an object`);
      if (child === undefined) node[json] = {};
      node = node[json] as Obj;
      desc = field.message;
      continue;
    }
    if (field.fieldKind === 'list') {
      node[json] ??= [];
      const list = node[json] as JsonValue[];
      if (field.listKind === 'message' && !SCALAR_WKT.has(field.message.typeName)) {
        throw fail(`field "${key}": a list of ${field.message.typeName} cannot be sent as a form`);
      }
      list.push(jsonScalar(field, field.listKind, value));
      return;
    }
    if (value === '') return;
    if (field.fieldKind === 'message' && !SCALAR_WKT.has(field.message.typeName)) {
      throw fail(`field "${key}" is a message: set its fields as ${seg.name}.<field>`);
    }
    if (node[json] !== undefined) throw fail(`too many values for field "${key}"`);
    node[json] = jsonScalar(field, field.fieldKind, value);
  }
}

/** Options of {@link createFormCodec}. */
export interface FormCodecOptions {
  /** Content type written. Default `application/x-www-form-urlencoded`. */
  contentType?: string;
}

/**
 * `application/x-www-form-urlencoded` (Go Kratos' `encoding/form`), name `form`.
 *
 * Values are JSON-shaped objects: nested objects become dotted keys (`a.b=1`), lists repeat the
 * key (`tag=a&tag=b`), lists of objects are indexed (`items[0].id=1`), keys are sorted as Go's
 * `url.Values.Encode` does. `unmarshal` gives strings (a key seen twice becomes a list; `x[]=`
 * is always a list; `m[k]=v` is `{ m: { k: v } }`).
 *
 * With a message schema (`marshalMessage` / `unmarshalMessage`) it follows Go Kratos' proto form
 * mapping: field JSON names or proto names, maps as `field[key]=value`, well-known types as their
 * JSON text (timestamps, durations, field masks, wrappers), enums by name or number, unknown
 * fields ignored, bad values rejected.
 */
export function createFormCodec(options: FormCodecOptions = {}): MessageCodec {
  return {
    name: 'form',
    contentType: options.contentType ?? 'application/x-www-form-urlencoded',
    marshal(value) {
      const out: [string, string][] = [];
      flatten(out, '', value);
      return encoder.encode(encodeFormPairs(out));
    },
    unmarshal(data) {
      const root: Obj = {};
      for (const [k, v] of parseFormPairs(data)) setPath(root, k, v);
      return root;
    },
    marshalMessage(schema, message) {
      const desc = asMessageSchema(schema, 'form');
      checkMessage(desc, message, 'form');
      const msg = isMessageValue(message) ? (message as Message) : create(desc, message as never);
      const json = toJson(desc, msg);
      const out: [string, string][] = [];
      flatten(out, '', json, desc);
      return encoder.encode(encodeFormPairs(out));
    },
    unmarshalMessage(schema, data) {
      const desc = asMessageSchema(schema, 'form');
      const root: Obj = {};
      for (const [k, v] of parseFormPairs(data)) setMessagePath(root, desc, k, v);
      try {
        return fromJson(desc, root as JsonValue, { ignoreUnknownFields: true });
      } catch (error) {
        throw fail(`cannot decode ${desc.typeName}: ${(error as Error).message}`, error);
      }
    },
  };
}

/** The default {@link createFormCodec}. */
export const formCodec: MessageCodec = createFormCodec();
