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

/** Renders one value; kept per redactor and reused, so a call allocates little beyond its text. */
class Renderer {
  out = '';
  readonly #stack: object[] = [];
  readonly #maxLength: number;
  readonly #maxDepth: number;
  readonly #isSensitive: (key: string) => boolean;

  constructor(maxLength: number, maxDepth: number, isSensitive: (key: string) => boolean) {
    this.#maxLength = maxLength;
    this.#maxDepth = maxDepth;
    this.#isSensitive = isSensitive;
  }

  reset(): void {
    this.out = '';
    this.#stack.length = 0;
  }

  // Rendering stops as soon as the budget is spent: a huge request costs no more than a small one.
  #emit(s: string): void {
    this.out += s;
    if (this.out.length > this.#maxLength) throw new Budget();
  }

  #field(key: string, value: unknown, depth: number): void {
    this.#emit(`${JSON.stringify(key)}:`);
    if (this.#isSensitive(key)) this.#emit(`"${REDACTED}"`);
    else this.render(value, depth + 1);
  }

  render(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.#emit(JSON.stringify(v));
        return;
      case 'number':
      case 'boolean':
        this.#emit(String(v));
        return;
      case 'bigint':
        this.#emit(`"${v}"`);
        return;
      case 'undefined':
        this.#emit('null');
        return;
      case 'function':
      case 'symbol':
        this.#emit(`"<${typeof v}>"`);
        return;
    }
    if (v === null) {
      this.#emit('null');
      return;
    }
    const o = v as object;
    if (o instanceof Uint8Array) {
      this.#emit(`"<${o.byteLength} bytes>"`);
      return;
    }
    if (o instanceof Date) {
      this.#emit(JSON.stringify(o.toISOString()));
      return;
    }
    if (Symbol.asyncIterator in o) {
      this.#emit('"<stream>"');
      return;
    }
    const stack = this.#stack;
    if (stack.includes(o)) {
      this.#emit('"<cycle>"');
      return;
    }
    if (depth >= this.#maxDepth) {
      this.#emit(Array.isArray(o) ? '[...]' : '{...}');
      return;
    }
    stack.push(o);
    if (Array.isArray(o)) {
      this.#emit('[');
      for (let i = 0; i < o.length; i++) {
        if (i > 0) this.#emit(',');
        this.render(o[i], depth + 1);
      }
      this.#emit(']');
    } else if (o instanceof Map) {
      this.#emit('{');
      let first = true;
      for (const [k, val] of o) {
        if (!first) this.#emit(',');
        first = false;
        this.#field(String(k), val, depth);
      }
      this.#emit('}');
    } else {
      this.#emit('{');
      let first = true;
      for (const key in o) {
        if (key === '$typeName' || key === '$unknown') continue;
        const val = (o as Record<string, unknown>)[key];
        if (typeof val === 'function') continue;
        if (!first) this.#emit(',');
        first = false;
        this.#field(key, val, depth);
      }
      this.#emit('}');
    }
    stack.pop();
  }
}

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
  const shared = new Renderer(maxLength, maxDepth, isSensitive);
  let busy = false;

  return (req) => {
    if (isSelfRedacting(req)) {
      try {
        return cut(String(req.redact()), maxLength);
      } catch {
        return '<redact failed>';
      }
    }
    // A getter that logs while being rendered would re-enter: it gets a renderer of its own.
    const r = busy ? new Renderer(maxLength, maxDepth, isSensitive) : shared;
    const owner = !busy;
    busy = true;
    r.reset();
    try {
      r.render(req, 0);
      return r.out;
    } catch (e) {
      if (e instanceof Budget) return cut(r.out, maxLength);
      return '<unprintable>';
    } finally {
      if (owner) busy = false;
    }
  };
}

function cut(s: string, maxLength: number): string {
  return s.length <= maxLength ? s : `${s.slice(0, maxLength)}...`;
}
