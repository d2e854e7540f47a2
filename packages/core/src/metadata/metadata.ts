/** Header prefix of metadata that travels across every hop. */
export const GLOBAL_METADATA_PREFIX = 'x-md-global-';
/** Header prefix of metadata that travels only to the next service. */
export const LOCAL_METADATA_PREFIX = 'x-md-local-';

/** What a {@link Metadata} can be built from. */
export type MetadataInit =
  | Metadata
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | Iterable<readonly [string, string | readonly string[]]>;

/**
 * Case-insensitive, multi-valued string map: request/reply headers and Kratos metadata
 * (`x-md-global-*`, `x-md-local-*`). Keys are stored lower-cased.
 */
export class Metadata implements Iterable<[string, string[]]> {
  readonly #map = new Map<string, string[]>();

  constructor(init?: MetadataInit) {
    if (init === undefined) return;
    if (init instanceof Metadata) {
      for (const [k, v] of init.#map) this.#map.set(k, [...v]);
      return;
    }
    const entries =
      Symbol.iterator in init
        ? (init as Iterable<readonly [string, string | readonly string[]]>)
        : Object.entries(init as Record<string, string | readonly string[] | undefined>);
    for (const [k, v] of entries) {
      if (v === undefined) continue;
      if (typeof v === 'string') this.add(k, v);
      else for (const one of v) this.add(k, one);
    }
  }

  /** The first value of a key. */
  get(key: string): string | undefined {
    return this.#map.get(key.toLowerCase())?.[0];
  }

  /** All values of a key (empty when absent); a copy, changing it changes nothing here. */
  values(key: string): string[] {
    const list = this.#map.get(key.toLowerCase());
    return list === undefined ? [] : [...list];
  }

  /** Replaces a key's values; no values removes the key. */
  set(key: string, ...values: string[]): this {
    if (values.length === 0) this.#map.delete(key.toLowerCase());
    else this.#map.set(key.toLowerCase(), values);
    return this;
  }

  /** Appends a value to a key. */
  add(key: string, value: string): this {
    const k = key.toLowerCase();
    const list = this.#map.get(k);
    if (list) list.push(value);
    else this.#map.set(k, [value]);
    return this;
  }

  has(key: string): boolean {
    return this.#map.has(key.toLowerCase());
  }

  delete(key: string): boolean {
    return this.#map.delete(key.toLowerCase());
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  get size(): number {
    return this.#map.size;
  }

  [Symbol.iterator](): IterableIterator<[string, string[]]> {
    return this.#map.entries();
  }

  /** A deep copy. */
  clone(): Metadata {
    return new Metadata(this);
  }

  /** Copies every key of `other` into this one, replacing existing keys. */
  merge(other: Metadata): this {
    for (const [k, v] of other.#map) this.#map.set(k, [...v]);
    return this;
  }

  /** The keys that start with `prefix`, as a new Metadata. */
  withPrefix(prefix: string): Metadata {
    const out = new Metadata();
    const p = prefix.toLowerCase();
    for (const [k, v] of this.#map) if (k.startsWith(p)) out.#map.set(k, [...v]);
    return out;
  }

  /** A plain object, first value per key. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#map) if (v[0] !== undefined) out[k] = v[0];
    return out;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.#map);
  }
}

/** True for a key Kratos propagates (`x-md-global-*` or `x-md-local-*`). */
export function isMetadataKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.startsWith(GLOBAL_METADATA_PREFIX) || k.startsWith(LOCAL_METADATA_PREFIX);
}
