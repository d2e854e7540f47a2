import type { KeyValue, Source, Watcher } from '@kratos/core';
import { formatFromKey } from '@kratos/core/adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uniqueName } from './unique-name.ts';
import { waitFor, withTimeout } from './wait.ts';
import { expectStopEndsPendingRead, nextMatching } from './watch.ts';

/** A document the suite asks the factory to seed, or writes through `set`. */
export interface ConfigDocument {
  /** Name inside the namespace, with the format's extension: `app.yaml`, `db.json`. */
  name: string;
  /** UTF-8 text. */
  value: string;
}

/** What the factory receives for one test. */
export interface ConfigSourceSetup {
  /** A name unique to this test: scope the backend to it (etcd prefix, nacos group, ConfigMap name). */
  namespace: string;
  /** Documents the source must hold before the test starts. */
  initial: ConfigDocument[];
}

/** A config source under test plus the means to change its backend. */
export interface ConfigSourceSubject {
  source: Source;
  /** Writes a document (creating or replacing it) in the backend. Needed for the mutation cases. */
  set?(name: string, value: string): void | Promise<void>;
  /** Removes a document from the backend. */
  delete?(name: string): void | Promise<void>;
  /** The `key` the source reports for document `name`. Default: `name` itself. */
  keyFor?(name: string): string;
  /** Cleans the backend up and releases clients; called after every test. */
  close?(): void | Promise<void>;
}

/** Optional behaviour a config source declares. */
export interface ConfigSourceFeatures {
  /** `source.watch()` is implemented. Default true. */
  watch?: boolean;
  /** The backend can be changed through the subject's `set` and `delete`. Default true. */
  mutate?: boolean;
  /** `format` is the document name's extension (`yml` -> `yaml`). Default true. */
  formatFromExtension?: boolean;
  /** How long a change takes to reach load() and watchers. Default 0. */
  propagationDelayMs?: number;
  /** Bound of each wait for a change to show. Default 3000 + 5 x propagationDelayMs. */
  timeoutMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Defines a vitest suite checking that a config Source behaves like Go Kratos' sources: load
 * returns every document with key, format and exact bytes; watch yields the full set after
 * each change; stop ends iteration. `factory` runs before every test.
 */
export function describeConfigSourceContract(
  name: string,
  factory: (setup: ConfigSourceSetup) => ConfigSourceSubject | Promise<ConfigSourceSubject>,
  features: ConfigSourceFeatures = {},
): void {
  const watchOn = features.watch ?? true;
  const mutateOn = features.mutate ?? true;
  const checkFormat = features.formatFromExtension ?? true;
  const wait = features.timeoutMs ?? 3000 + 5 * (features.propagationDelayMs ?? 0);
  const testTimeout = Math.max(10_000, wait * 4);

  const appYaml: ConfigDocument = {
    name: 'app.yaml',
    value: 'server:\n  http:\n    addr: 0.0.0.0:8000\n  note: "héllo ✓"\n',
  };
  const dbJson: ConfigDocument = { name: 'db.json', value: '{"data":{"database":{"dsn":"root@tcp/test"}}}' };

  describe(`config source contract: ${name}`, () => {
    let subject: ConfigSourceSubject | undefined;
    let watchers: Watcher<KeyValue[]>[] = [];

    const open = async (initial: ConfigDocument[]) => {
      subject = await factory({ namespace: uniqueName('kt-conf'), initial });
      return subject;
    };

    beforeEach(() => {
      subject = undefined;
      watchers = [];
    });

    afterEach(async () => {
      await Promise.allSettled(watchers.map((w) => w.stop()));
      await subject?.close?.();
    });

    const keyFor = (s: ConfigSourceSubject, doc: string) => (s.keyFor ? s.keyFor(doc) : doc);
    const find = (s: ConfigSourceSubject, set: readonly KeyValue[], doc: string) =>
      set.find((kv) => kv.key === keyFor(s, doc));
    const text = (kv: KeyValue | undefined) => (kv ? decoder.decode(kv.value) : undefined);
    /** The set holds exactly these documents with these contents. */
    const holds = (s: ConfigSourceSubject, set: readonly KeyValue[], docs: readonly ConfigDocument[]) =>
      set.length === docs.length && docs.every((d) => text(find(s, set, d.name)) === d.value);
    const expectDocs = (
      s: ConfigSourceSubject,
      set: readonly KeyValue[],
      docs: readonly ConfigDocument[],
    ) => {
      expect(set.map((kv) => kv.key).sort()).toEqual(docs.map((d) => keyFor(s, d.name)).sort());
      for (const d of docs) {
        const kv = find(s, set, d.name);
        expect(kv?.value).toBeInstanceOf(Uint8Array);
        expect([...(kv?.value ?? [])]).toEqual([...encoder.encode(d.value)]);
        if (checkFormat) expect(kv?.format).toBe(formatFromKey(d.name));
        else expect(typeof kv?.format).toBe('string');
      }
    };
    const loadHolds = (s: ConfigSourceSubject, docs: readonly ConfigDocument[], what: string) =>
      waitFor(
        async () => {
          expectDocs(s, await s.source.load(), docs);
          return true;
        },
        { timeout: wait, message: what },
      );
    const watch = async (s: ConfigSourceSubject) => {
      const w = await s.source.watch();
      watchers.push(w);
      return w;
    };
    const mutable = (s: ConfigSourceSubject) => {
      if (!s.set || !s.delete) throw new Error('features.mutate is on but the subject has no set/delete');
      return s as Required<Pick<ConfigSourceSubject, 'set' | 'delete'>> & ConfigSourceSubject;
    };

    describe('load', () => {
      it(
        'returns every document with its key, format and exact bytes',
        async () => {
          const s = await open([appYaml, dbJson]);
          expectDocs(s, await s.source.load(), [appYaml, dbJson]);
        },
        testTimeout,
      );

      it(
        'returns an empty list when there are no documents',
        async () => {
          const s = await open([]);
          expect(await s.source.load()).toEqual([]);
        },
        testTimeout,
      );

      it(
        'hands out copies: changing loaded bytes does not change the next load',
        async () => {
          const s = await open([appYaml]);
          const first = await s.source.load();
          first[0]?.value.fill(0x21);
          expectDocs(s, await s.source.load(), [appYaml]);
        },
        testTimeout,
      );

      if (mutateOn) {
        it(
          'sees documents added, replaced and deleted in the backend',
          async () => {
            const s = mutable(await open([appYaml]));
            await s.set(dbJson.name, dbJson.value);
            await loadHolds(s, [appYaml, dbJson], 'added document in load()');
            const changed = { ...appYaml, value: 'server:\n  http:\n    addr: 0.0.0.0:9999\n' };
            await s.set(changed.name, changed.value);
            await loadHolds(s, [changed, dbJson], 'replaced document in load()');
            await s.delete(appYaml.name);
            await loadHolds(s, [dbJson], 'deleted document gone from load()');
          },
          testTimeout,
        );
      }
    });

    if (!watchOn) return;

    describe('watch', () => {
      it(
        'yields the current full set first',
        async () => {
          const s = await open([appYaml, dbJson]);
          const w = await watch(s);
          const snap = await nextMatching(w, (set) => holds(s, set, [appYaml, dbJson]), wait);
          expectDocs(s, snap, [appYaml, dbJson]);
        },
        testTimeout,
      );

      if (mutateOn) {
        it(
          'yields the full set after every set and delete',
          async () => {
            const s = mutable(await open([appYaml]));
            const w = await watch(s);
            await nextMatching(w, (set) => holds(s, set, [appYaml]), wait);
            await s.set(dbJson.name, dbJson.value);
            const added = await nextMatching(w, (set) => holds(s, set, [appYaml, dbJson]), wait);
            expectDocs(s, added, [appYaml, dbJson]);
            const changed = { ...dbJson, value: '{"data":{"database":{"dsn":"changed"}}}' };
            await s.set(changed.name, changed.value);
            await nextMatching(w, (set) => holds(s, set, [appYaml, changed]), wait);
            await s.delete(appYaml.name);
            const afterDelete = await nextMatching(w, (set) => holds(s, set, [changed]), wait);
            expect(find(s, afterDelete, appYaml.name)).toBeUndefined();
            await loadHolds(s, [changed], 'load() agrees with the watcher');
          },
          testTimeout,
        );

        it(
          'brings every watcher to the same set',
          async () => {
            const s = mutable(await open([appYaml]));
            const ws = await Promise.all([1, 2, 3].map(() => watch(s)));
            await s.set(dbJson.name, dbJson.value);
            await Promise.all(
              ws.map((w) => nextMatching(w, (set) => holds(s, set, [appYaml, dbJson]), wait)),
            );
            await s.delete(dbJson.name);
            await Promise.all(ws.map((w) => nextMatching(w, (set) => holds(s, set, [appYaml]), wait)));
          },
          testTimeout,
        );

        it(
          'keeps other watchers working when one stops',
          async () => {
            const s = mutable(await open([appYaml]));
            const w1 = await watch(s);
            const w2 = await watch(s);
            await nextMatching(w1, (set) => holds(s, set, [appYaml]), wait);
            await w1.stop();
            await s.set(dbJson.name, dbJson.value);
            await nextMatching(w2, (set) => holds(s, set, [appYaml, dbJson]), wait);
          },
          testTimeout,
        );
      }

      it(
        'ends a for-await loop when stopped',
        async () => {
          const s = await open([appYaml]);
          const w = await watch(s);
          let count = 0;
          const loop = (async () => {
            for await (const _ of w) count++;
          })();
          await waitFor(() => count > 0, { timeout: wait, message: 'first snapshot in the loop' });
          await w.stop();
          await withTimeout(loop, wait, 'for-await loop ending after stop()');
        },
        testTimeout,
      );

      it(
        'resolves a pending next() as done when stopped, and stays done',
        async () => {
          const s = await open([appYaml]);
          const w = await watch(s);
          await nextMatching(w, (set) => holds(s, set, [appYaml]), wait);
          await expectStopEndsPendingRead(w, wait);
        },
        testTimeout,
      );
    });
  });
}
