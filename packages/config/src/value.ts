import { parseDuration } from './duration.ts';
import { configError, describe } from './errors.ts';
import { parseBool, scanAsync, scanSync } from './scan.ts';
import { isMapping } from './tree.ts';
import type { ScanOutput, ScanSchema, Value } from './types.ts';

/** Reads child values (arrays, maps) through the snapshot that owns them, so they are cached too. */
export type ChildReader = (key: string, raw: unknown) => Value;

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$|^NaN$|^nan$/;

class ConfigValue implements Value {
  readonly key: string;
  readonly exists: boolean;
  readonly raw: unknown;
  readonly #child: ChildReader;

  constructor(key: string, exists: boolean, raw: unknown, child: ChildReader) {
    this.key = key;
    this.exists = exists;
    this.raw = exists ? raw : undefined;
    this.#child = child;
  }

  #missing(want: string) {
    return configError('CONFIG_NOT_FOUND', `config key "${this.key}" not found (wanted ${want})`, {
      key: this.key,
      want,
    });
  }

  #mismatch(want: string, detail = '') {
    return configError(
      'CONFIG_TYPE',
      `config key "${this.key}": cannot read ${describe(this.raw)} as ${want}${detail}`,
      { key: this.key, want },
    );
  }

  bool(fallback?: boolean): boolean {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      throw this.#missing('bool');
    }
    const v = this.raw;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const b = parseBool(v.trim());
      if (b !== undefined) return b;
    }
    if (v === 0 || v === 1) return v === 1;
    throw this.#mismatch('bool', ' (want true/false, 1/0, t/f)');
  }

  int(fallback?: number): number {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      throw this.#missing('int');
    }
    const v = this.raw;
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && INT.test(v.trim())) n = Number(v.trim());
    if (n === undefined || !Number.isInteger(n)) throw this.#mismatch('int');
    if (!Number.isSafeInteger(n)) throw this.#mismatch('int', ' (beyond ±2^53-1)');
    return n;
  }

  float(fallback?: number): number {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      throw this.#missing('float');
    }
    const v = this.raw;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const s = v.trim();
      if (FLOAT.test(s))
        return s.toLowerCase().endsWith('inf')
          ? s.startsWith('-')
            ? -Infinity
            : Infinity
          : s.toLowerCase() === 'nan'
            ? Number.NaN
            : Number(s);
    }
    throw this.#mismatch('float');
  }

  string(fallback?: string): string {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      throw this.#missing('string');
    }
    const v = this.raw;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.#mismatch('string');
  }

  duration(fallback?: number): number {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      throw this.#missing('duration');
    }
    const v = this.raw;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') {
      const ms = parseDuration(v);
      if (ms !== undefined) return ms;
    }
    throw this.#mismatch('duration', ' (want e.g. "1.5s", "500ms", "1h30m", or milliseconds)');
  }

  array(): Value[] {
    if (!this.exists) throw this.#missing('array');
    const v = this.raw;
    if (!Array.isArray(v)) throw this.#mismatch('array');
    return v.map((x, i) => this.#child(this.key === '' ? String(i) : `${this.key}.${i}`, x));
  }

  map(): ReadonlyMap<string, Value> {
    if (!this.exists) throw this.#missing('map');
    const v = this.raw;
    if (!isMapping(v)) throw this.#mismatch('map');
    const out = new Map<string, Value>();
    for (const k of Object.keys(v)) out.set(k, this.#child(this.key === '' ? k : `${this.key}.${k}`, v[k]));
    return out;
  }

  scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>> {
    if (!this.exists) return Promise.reject(this.#missing('a value to scan'));
    return scanAsync(this.key, this.raw, schema);
  }

  scanSync<S extends ScanSchema>(schema: S): ScanOutput<S> {
    if (!this.exists) throw this.#missing('a value to scan');
    return scanSync(this.key, this.raw, schema);
  }

  toJSON(): unknown {
    return this.raw;
  }
}

/** Makes a {@link Value}. */
export function makeValue(key: string, exists: boolean, raw: unknown, child: ChildReader): Value {
  return new ConfigValue(key, exists, raw, child);
}
