import { defaultLogger, type KeyValue, KratosError, type Logger, type Watcher } from '@kratos/core';
import { decodeKeyValue, decoderTable } from './decoders.ts';
import { configError } from './errors.ts';
import { type MissingPlaceholder, resolvePlaceholders } from './placeholders.ts';
import { makeSnapshot, type Snapshot } from './snapshot.ts';
import { deepEqual, mergeInto, type Tree } from './tree.ts';
import type { Config, ConfigOptions, ConfigSnapshot, Observer, ScanOutput, ScanSchema } from './types.ts';

interface Doc {
  kv: KeyValue;
  tree: Tree;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/**
 * Makes a {@link Config}: Go Kratos' config engine. Sources are merged in order (later wins),
 * placeholders resolved against the merged tree, and every update builds a complete new snapshot
 * before swapping it in, so readers see the old config or the new one, never a mix. A source
 * update that fails to decode or resolve is logged and dropped; the last good config stays.
 */
export function createConfig(options: ConfigOptions): Config {
  const sources = [...options.sources];
  const logger: Logger = options.logger ?? defaultLogger();
  const decoders = decoderTable(options.decoders);
  const missing = options.missingPlaceholder ?? 'empty';
  /** The decoded documents of each source, in source order. */
  let docs: Doc[][] = sources.map(() => []);
  let current: Snapshot | undefined;
  let version = 0;
  const observers = new Map<string, Set<Observer>>();
  const watchers: Watcher<KeyValue[]>[] = [];
  const loops: Promise<void>[] = [];
  let watching = false;
  let closed = false;

  const decodeAll = (kvs: KeyValue[], previous: Doc[]): Doc[] =>
    kvs.map((kv) => {
      // Unchanged documents are not decoded again.
      const old = previous.find((d) => d.kv.key === kv.key && d.kv.format === kv.format);
      if (old && sameBytes(old.kv.value, kv.value)) return old;
      return { kv, tree: decodeKeyValue(kv, decoders) };
    });

  /** The merged, resolved tree of all documents. */
  const build = (all: Doc[][]): Tree => {
    const merged: Tree = {};
    for (const source of all) for (const doc of source) mergeInto(merged, doc.tree);
    const misses: MissingPlaceholder[] = [];
    resolvePlaceholders(merged, { missing, onMissing: (m) => misses.push(m) });
    for (const m of misses) {
      logger.log(
        'warn',
        'msg',
        `config: ${m.placeholder} has no default and is not in the config`,
        'key',
        m.key,
        'placeholder',
        m.placeholder,
      );
    }
    return merged;
  };

  /** Swaps in a new snapshot unless the content is unchanged, then tells the observers. */
  const swap = (all: Doc[][], tree: Tree) => {
    docs = all;
    const before = current;
    if (before && deepEqual(before.tree, tree)) return;
    current = makeSnapshot(++version, tree);
    notify(before, current);
  };

  // Observers run after the swap, so a value they read is the new one.
  const notify = (before: Snapshot | undefined, after: Snapshot) => {
    if (!before) return;
    for (const [key, set] of observers) {
      const a = before.read(key);
      const b = after.read(key);
      if (a.exists === b.exists && deepEqual(a.raw, b.raw)) continue;
      const value = after.value(key);
      const change = {
        key,
        deleted: !b.exists,
        previous: before.value(key),
        snapshot: after as ConfigSnapshot,
      };
      for (const fn of [...set]) {
        try {
          fn(value, change);
        } catch (e) {
          logger.log('error', 'msg', 'config: watch observer threw', 'key', key, 'error', errorText(e));
        }
      }
    }
  };

  const apply = (index: number, kvs: KeyValue[]) => {
    if (closed) return;
    try {
      const next = docs.slice();
      next[index] = decodeAll(kvs, docs[index] ?? []);
      swap(next, build(next));
    } catch (e) {
      const key = KratosError.is(e) ? (e.metadata.key ?? '') : '';
      logger.log(
        'warn',
        'msg',
        'config: update rejected, keeping the last good config',
        'key',
        key,
        'error',
        errorText(e),
      );
    }
  };

  const follow = async (index: number, watcher: Watcher<KeyValue[]>) => {
    try {
      for await (const kvs of watcher) apply(index, kvs);
    } catch (e) {
      if (!closed)
        logger.log('error', 'msg', 'config: source watch ended', 'source', index, 'error', errorText(e));
    }
  };

  const loaded = (): Snapshot => {
    if (!current) {
      throw configError(
        'CONFIG_NOT_LOADED',
        'config: not loaded yet: await config.load() before reading values',
      );
    }
    return current;
  };

  return {
    async load() {
      if (closed) throw configError('CONFIG_NOT_LOADED', 'config: load() after close()');
      const next: Doc[][] = [];
      for (const [i, source] of sources.entries()) {
        let kvs: KeyValue[];
        try {
          kvs = await source.load();
        } catch (e) {
          if (KratosError.is(e)) throw e;
          throw configError('CONFIG_SOURCE', `config: source #${i} failed to load: ${errorText(e)}`, {}, e);
        }
        next.push(decodeAll(kvs, docs[i] ?? []));
      }
      swap(next, build(next));
      if (watching) return;
      watching = true;
      for (const [i, source] of sources.entries()) {
        const w = await source.watch();
        if (closed) {
          await w.stop();
          return;
        }
        watchers.push(w);
        loops.push(follow(i, w));
      }
    },
    value(key) {
      return loaded().value(key);
    },
    scan<S extends ScanSchema>(schema: S): Promise<ScanOutput<S>> {
      try {
        return loaded().scan(schema);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    scanSync(schema) {
      return loaded().scanSync(schema);
    },
    watch(key, observer) {
      let set = observers.get(key);
      if (!set) {
        set = new Set();
        observers.set(key, set);
      }
      set.add(observer);
      return () => {
        const s = observers.get(key);
        if (s?.delete(observer) && s.size === 0) observers.delete(key);
      };
    },
    snapshot() {
      return loaded();
    },
    async close() {
      if (closed) return;
      closed = true;
      observers.clear();
      await Promise.all(watchers.map((w) => w.stop()));
      await Promise.all(loops);
    },
  } satisfies Config;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
