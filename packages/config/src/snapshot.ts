import { scanAsync, scanSync } from './scan.ts';
import { deepFreeze, flatten, type Tree } from './tree.ts';
import type { ConfigSnapshot, ScanOutput, ScanSchema, Value } from './types.ts';
import { makeValue } from './value.ts';

class Snapshot implements ConfigSnapshot {
  readonly version: number;
  readonly tree: Readonly<Tree>;
  readonly #index: Map<string, unknown>;
  readonly #leaves: string[];
  readonly #values = new Map<string, Value>();
  readonly #child = (key: string, raw: unknown) => makeValue(key, true, raw, this.#child);

  constructor(version: number, tree: Tree) {
    this.version = version;
    this.tree = deepFreeze(tree);
    const { index, leaves } = flatten(tree);
    this.#index = index;
    this.#leaves = leaves;
  }

  value(key: string): Value {
    let v = this.#values.get(key);
    if (v === undefined) {
      const exists = this.#index.has(key);
      v = makeValue(key, exists, this.#index.get(key), this.#child);
      // Only existing keys are cached: a stream of lookups of absent keys must not grow memory.
      if (exists) this.#values.set(key, v);
    }
    return v;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** The raw value at a key and whether it exists (for change detection). */
  read(key: string): { exists: boolean; raw: unknown } {
    return { exists: this.#index.has(key), raw: this.#index.get(key) };
  }

  keys(): string[] {
    return [...this.#leaves];
  }

  scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>> {
    return scanAsync('', this.tree, schema);
  }

  scanSync<S extends ScanSchema>(schema: S): ScanOutput<S> {
    return scanSync('', this.tree, schema);
  }
}

export type { Snapshot };

/** Freezes `tree` and indexes it as an immutable snapshot. */
export function makeSnapshot(version: number, tree: Tree): Snapshot {
  return new Snapshot(version, tree);
}
