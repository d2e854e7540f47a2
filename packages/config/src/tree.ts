/** A decoded mapping: plain object with string keys. */
export type Tree = Record<string, unknown>;

export function isMapping(v: unknown): v is Tree {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property even for `__proto__`, so a hostile document cannot touch prototypes. */
export function setOwn(target: Tree, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Turns what a decoder returned into JSON-shaped data: plain objects, arrays, strings, numbers,
 * booleans, null. Dates become ISO strings, bigints numbers (or strings when unsafe), bytes text.
 */
export function normalize(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : normalize(x)));
  if (v instanceof Map) {
    const out: Tree = {};
    for (const [k, x] of v) if (x !== undefined) setOwn(out, String(k), normalize(x));
    return out;
  }
  if (typeof v === 'object') {
    const out: Tree = {};
    for (const k of Object.keys(v)) {
      const x = (v as Tree)[k];
      if (x !== undefined) setOwn(out, k, normalize(x));
    }
    return out;
  }
  return String(v);
}

/** A deep copy of JSON-shaped data. */
export function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isMapping(v)) {
    const out: Tree = {};
    for (const k of Object.keys(v)) setOwn(out, k, clone(v[k]));
    return out;
  }
  return v;
}

/** Merges `src` into `dst`: mappings merge key by key, anything else (arrays too) is replaced. */
export function mergeInto(dst: Tree, src: Tree): void {
  for (const k of Object.keys(src)) {
    const s = src[k];
    const d = Object.hasOwn(dst, k) ? dst[k] : undefined;
    if (isMapping(s) && isMapping(d)) mergeInto(d, s);
    else setOwn(dst, k, clone(s));
  }
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * Every dotted path of the tree -> its value, containers included (`server`, `server.http`,
 * `server.http.addr`, `hosts.0`). `''` maps to the root. Literal dotted keys (`{"a.b": 1}`) are
 * reachable as written; when they collide with a nested path the nested one wins.
 */
export function flatten(root: Tree): { index: Map<string, unknown>; leaves: string[] } {
  const index = new Map<string, unknown>([['', root]]);
  const leaves: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    let keys: string[] | undefined;
    if (isMapping(v)) keys = Object.keys(v);
    else if (Array.isArray(v)) keys = v.map((_, i) => String(i));
    if (keys === undefined || keys.length === 0) {
      if (prefix !== '') leaves.push(prefix);
      return;
    }
    for (const k of keys) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      const child = (v as Tree)[k];
      // A literal dotted key yields to a real nested path with the same spelling.
      if (k.includes('.') && index.has(path)) continue;
      index.set(path, child);
      walk(path, child);
    }
  };
  walk('', root);
  return { index, leaves };
}

/** Reads a dotted path by walking mappings and array indices (no index). */
export function lookup(root: unknown, path: string): { found: boolean; value: unknown } {
  if (path === '') return { found: true, value: root };
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (isMapping(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}
