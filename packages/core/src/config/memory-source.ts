import { createFanout } from '../watch/watcher.ts';
import type { KeyValue, Source } from './source.ts';
import { formatFromKey } from './source.ts';

/** An in-memory config source whose documents tests and embedded defaults can change. */
export interface MemorySource extends Source {
  /** Adds or replaces a document; `format` defaults to the key's extension. */
  set(key: string, value: string | Uint8Array, format?: string): void;
  /** Removes a document. */
  delete(key: string): void;
}

/** Makes a {@link MemorySource} holding `initial`. */
export function createMemorySource(initial: readonly KeyValue[] = []): MemorySource {
  const docs = new Map<string, KeyValue>();
  for (const kv of initial) docs.set(kv.key, { ...kv });
  const fan = createFanout<KeyValue[]>();
  const snapshot = () => [...docs.values()].map((kv) => ({ ...kv, value: kv.value.slice() }));
  return {
    async load() {
      return snapshot();
    },
    async watch() {
      const w = fan.subscribe();
      if (fan.latest === undefined) fan.publish(snapshot());
      return w;
    },
    set(key, value, format) {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      docs.set(key, { key, value: bytes, format: format ?? formatFromKey(key) });
      fan.publish(snapshot());
    },
    delete(key) {
      if (docs.delete(key)) fan.publish(snapshot());
    },
  } satisfies MemorySource;
}
