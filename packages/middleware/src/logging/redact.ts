/** Turns a request into the `args` field of a log line. */
export type Redactor = (req: unknown) => string;

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * Field names whose values are replaced by `***`, matched case-insensitively anywhere in the
   * name (`userPassword`, `access_token`). Default: password, passwd, pass, secret, token,
   * authorization, api key, credential, private key, cookie.
   */
  keys?: RegExp | readonly string[];
  /** Longest `args` text; longer output ends with `...`. Default 256. */
  maxLength?: number;
  /** How deep nested objects are rendered; deeper ones become `{...}`. Default 4. */
  maxDepth?: number;
}

/** The mask Go Kratos' log filter uses. */
export const REDACTED = '***';

const DEFAULT_KEYS =
  /passw(?:or)?d|^pass$|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie/i;

function keyPattern(keys: RegExp | readonly string[] | undefined): RegExp {
  if (keys === undefined) return DEFAULT_KEYS;
  if (keys instanceof RegExp) return new RegExp(keys.source, keys.flags.replace(/[gy]/g, ''));
  if (keys.length === 0) return /$^/;
  return new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

/** Go Kratos' `Redacter`: a request that renders itself for logs. */
interface SelfRedacting {
  redact(): string;
}

function isSelfRedacting(v: unknown): v is SelfRedacting {
  return typeof v === 'object' && v !== null && typeof (v as Partial<SelfRedacting>).redact === 'function';
}

class Budget extends Error {}

/**
 * The default `args` renderer: a short JSON-like text of the request (protobuf-es messages
 * included: `$typeName` is left out, bigints and bytes are printed), with the values of
 * sensitive-looking fields masked and the whole cut at `maxLength`. A request with a
 * `redact(): string` method (Go Kratos' `Redacter`) renders itself.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const pattern = keyPattern(options.keys);
  const maxLength = options.maxLength ?? 256;
  const maxDepth = options.maxDepth ?? 4;
  const masked = new Map<string, boolean>();
  const isSensitive = (key: string): boolean => {
    let hit = masked.get(key);
    if (hit === undefined) {
      hit = pattern.test(key);
      if (masked.size < 1024) masked.set(key, hit);
    }
    return hit;
  };

  return (req) => {
    if (isSelfRedacting(req)) {
      try {
        return cut(String(req.redact()), maxLength);
      } catch {
        return '<redact failed>';
      }
    }
    let out = '';
    // Rendering stops as soon as the budget is spent: a huge request costs no more than a small one.
    const emit = (s: string) => {
      out += s;
      if (out.length > maxLength) throw new Budget();
    };
    const seen = new Set<object>();
    const render = (v: unknown, depth: number): void => {
      switch (typeof v) {
        case 'string':
          emit(JSON.stringify(v));
          return;
        case 'number':
        case 'boolean':
          emit(String(v));
          return;
        case 'bigint':
          emit(`"${v}"`);
          return;
        case 'undefined':
          emit('null');
          return;
        case 'function':
        case 'symbol':
          emit(`"<${typeof v}>"`);
          return;
      }
      if (v === null) {
        emit('null');
        return;
      }
      const o = v as object;
      if (o instanceof Uint8Array) {
        emit(`"<${o.byteLength} bytes>"`);
        return;
      }
      if (o instanceof Date) {
        emit(JSON.stringify(o.toISOString()));
        return;
      }
      if (Symbol.asyncIterator in o) {
        emit('"<stream>"');
        return;
      }
      if (seen.has(o)) {
        emit('"<cycle>"');
        return;
      }
      if (depth >= maxDepth) {
        emit(Array.isArray(o) ? '[...]' : '{...}');
        return;
      }
      seen.add(o);
      if (Array.isArray(o)) {
        emit('[');
        for (let i = 0; i < o.length; i++) {
          if (i > 0) emit(',');
          render(o[i], depth + 1);
        }
        emit(']');
      } else if (o instanceof Map) {
        emit('{');
        let first = true;
        for (const [k, val] of o) {
          if (!first) emit(',');
          first = false;
          const key = String(k);
          emit(`${JSON.stringify(key)}:`);
          if (isSensitive(key)) emit(`"${REDACTED}"`);
          else render(val, depth + 1);
        }
        emit('}');
      } else {
        emit('{');
        let first = true;
        for (const key in o) {
          if (key === '$typeName' || key === '$unknown') continue;
          const val = (o as Record<string, unknown>)[key];
          if (typeof val === 'function') continue;
          if (!first) emit(',');
          first = false;
          emit(`${JSON.stringify(key)}:`);
          if (isSensitive(key)) emit(`"${REDACTED}"`);
          else render(val, depth + 1);
        }
        emit('}');
      }
      seen.delete(o);
    };
    try {
      render(req, 0);
      return out;
    } catch (e) {
      if (e instanceof Budget) return cut(out, maxLength);
      return '<unprintable>';
    }
  };
}

function cut(s: string, maxLength: number): string {
  return s.length <= maxLength ? s : `${s.slice(0, maxLength)}...`;
}
