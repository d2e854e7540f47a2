import type { KeyValue, Source } from '@kratos/core';
import { createFanout, formatFromKey } from '@kratos/core/adapter';

/** Options of {@link create__Name__Source}. */
export interface __Name__SourceOptions {
  /** Prefix of the keys this source reads. Default `/config/`. */
  prefix?: string;
  /** Documents to start with (the stand-in's backend). Default none. */
  initial?: readonly { key: string; value: string | Uint8Array }[];
}

/** A config source on __name__. */
export interface __Name__Source extends Source {
  /** Writes a document (stand-in: what a write to __name__ would do). */
  set(key: string, value: string | Uint8Array): void;
  /** Removes a document. */
  delete(key: string): void;
  /** Stops every watcher and releases the client. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Makes a {@link __Name__Source}: `load()` reads every document under the prefix, `watch()`
 * yields the full set after every change.
 *
 * Stand-in: documents live in a Map of this process. Replace it with the __name__ client (read
 * by prefix; watch the prefix, or poll with createSharedWatchSource from @kratos/core/adapter).
 */
export function create__Name__Source(options: __Name__SourceOptions = {}): __Name__Source {
  const prefix = options.prefix ?? '/config/';
  const docs = new Map<string, KeyValue>();
  const put = (key: string, value: string | Uint8Array) =>
    docs.set(key, {
      key,
      value: typeof value === 'string' ? encoder.encode(value) : value.slice(),
      format: formatFromKey(key),
    });
  for (const d of options.initial ?? []) put(d.key, d.value);
  const fan = createFanout<KeyValue[]>();
  const snapshot = () =>
    [...docs.values()]
      .filter((kv) => kv.key.startsWith(prefix))
      .map((kv) => ({ ...kv, value: kv.value.slice() }));

  return {
    async load() {
      return snapshot();
    },
    async watch() {
      const watcher = fan.subscribe();
      if (fan.latest === undefined) fan.publish(snapshot());
      return watcher;
    },
    set(key, value) {
      put(key, value);
      fan.publish(snapshot());
    },
    delete(key) {
      if (docs.delete(key)) fan.publish(snapshot());
    },
    async close() {
      fan.close();
    },
  } satisfies __Name__Source;
}
