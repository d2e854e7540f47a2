import { type DescField, type DescMessage, fromJson, type JsonValue, ScalarType } from '@bufbuild/protobuf';
import { parseDuration, protoDuration } from './duration.ts';
import { configError } from './errors.ts';
import { clone, isMapping, type Tree } from './tree.ts';
import type {
  ScanOutput,
  ScanSchema,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from './types.ts';

function isDescMessage(s: unknown): s is DescMessage {
  return (
    typeof s === 'object' &&
    s !== null &&
    (s as { kind?: unknown }).kind === 'message' &&
    typeof (s as { typeName?: unknown }).typeName === 'string'
  );
}

function isStandardSchema(s: unknown): s is StandardSchemaV1 {
  const std = (s as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof std === 'object' && std !== null && typeof std.validate === 'function';
}

function where(key: string): string {
  return key === '' ? 'the config' : `config key "${key}"`;
}

function issuePath(issue: StandardSchemaIssue): string {
  if (!issue.path || issue.path.length === 0) return '';
  return issue.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
}

function issuesError(key: string, vendor: string, issues: ReadonlyArray<StandardSchemaIssue>) {
  const lines = issues.map((i) => {
    const p = issuePath(i);
    const full = [key, p].filter((x) => x !== '').join('.');
    return `${full === '' ? '(root)' : full}: ${i.message}`;
  });
  const first = issues[0];
  return configError(
    'CONFIG_SCAN',
    `config: ${where(key)} does not match the ${vendor} schema: ${lines.join('; ')}`,
    { key, path: first ? issuePath(first) : '' },
  );
}

function settle<O>(key: string, vendor: string, result: StandardSchemaResult<O>): O {
  if (result.issues) throw issuesError(key, vendor, result.issues);
  return result.value;
}

const DURATION = 'google.protobuf.Duration';

/**
 * Prepares config data for protobuf JSON: Go duration strings (`500ms`, `1m30s`) and bare
 * millisecond numbers become Duration strings (`"0.5s"`), and `"true"`/`"false"` strings (from
 * env or placeholders) booleans. Everything else is left for `fromJson` to accept or reject.
 */
function coerce(desc: DescMessage, data: unknown): unknown {
  if (desc.typeName === DURATION) {
    if (typeof data === 'number') return protoDuration(data);
    if (typeof data === 'string' && !/^-?\d+(\.\d+)?s$/.test(data)) {
      const ms = parseDuration(data);
      return ms === undefined ? data : protoDuration(ms);
    }
    return data;
  }
  if (!isMapping(data) || desc.typeName.startsWith('google.protobuf.')) return data;
  const out: Tree = { ...data };
  for (const field of desc.fields) {
    const name = Object.hasOwn(out, field.jsonName) ? field.jsonName : field.name;
    if (!Object.hasOwn(out, name)) continue;
    out[name] = coerceField(field, out[name]);
  }
  return out;
}

function coerceScalar(scalar: ScalarType | undefined, v: unknown): unknown {
  if (scalar === ScalarType.BOOL && typeof v === 'string') {
    const b = parseBool(v);
    return b === undefined ? v : b;
  }
  return v;
}

function coerceField(field: DescField, v: unknown): unknown {
  switch (field.fieldKind) {
    case 'scalar':
      return coerceScalar(field.scalar, v);
    case 'message':
      return coerce(field.message, v);
    case 'list':
      if (!Array.isArray(v)) return v;
      if (field.listKind === 'message') return v.map((x) => coerce(field.message, x));
      if (field.listKind === 'scalar') return v.map((x) => coerceScalar(field.scalar, x));
      return v;
    case 'map': {
      if (!isMapping(v)) return v;
      const out: Tree = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = field.mapKind === 'message' ? coerce(field.message, x) : coerceScalar(field.scalar, x);
      }
      return out;
    }
    default:
      return v;
  }
}

/** Go's `strconv.ParseBool`. */
export function parseBool(s: string): boolean | undefined {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

function scanMessage(key: string, desc: DescMessage, data: unknown): unknown {
  try {
    return fromJson(desc, coerce(desc, data) as JsonValue, { ignoreUnknownFields: true });
  } catch (e) {
    throw configError(
      'CONFIG_SCAN',
      `config: ${where(key)} cannot be read as ${desc.typeName}: ${(e as Error).message}`,
      { key, message: desc.typeName },
      e,
    );
  }
}

function badSchema(): TypeError {
  return new TypeError(
    'config: scan() wants a Standard Schema v1 validator (with a `~standard` property) or a protobuf-es message descriptor (DescMessage)',
  );
}

/** Validates a copy of `data` (found at `key`) with `schema`. */
export async function scanAsync<S extends ScanSchema>(
  key: string,
  data: unknown,
  schema: S,
): Promise<ScanOutput<S>> {
  if (isDescMessage(schema)) return scanMessage(key, schema, data) as ScanOutput<S>;
  if (isStandardSchema(schema)) {
    const std = schema['~standard'];
    return settle(key, std.vendor, await std.validate(clone(data))) as ScanOutput<S>;
  }
  throw badSchema();
}

/** Like {@link scanAsync}, for synchronous validators. */
export function scanSync<S extends ScanSchema>(key: string, data: unknown, schema: S): ScanOutput<S> {
  if (isDescMessage(schema)) return scanMessage(key, schema, data) as ScanOutput<S>;
  if (isStandardSchema(schema)) {
    const std = schema['~standard'];
    const result = std.validate(clone(data));
    if (result instanceof Promise) {
      result.catch(() => {});
      throw new TypeError(
        `config: the ${std.vendor} schema validates asynchronously: use \`await scan(schema)\` instead of scanSync`,
      );
    }
    return settle(key, std.vendor, result) as ScanOutput<S>;
  }
  throw badSchema();
}
