import type { Watcher } from '../watch/watcher.ts';
import { createSharedWatch, type SharedWatchOptions } from './shared-watch.ts';
import type { KeyValue, Source } from './source.ts';

/** A config {@link Source} whose watchers share one backend watch, and which can be closed. */
export interface SharedWatchSource extends Source {
  /** Number of backend watches open: one, shared by every watcher, or none. */
  readonly activeWatches: number;
  /** Ends every watcher and the backend watch, then runs `onClose`. Later calls do nothing. */
  close(): Promise<void>;
}

/** Options of {@link createSharedWatchSource}: those of {@link createSharedWatch}, and: */
export interface SharedWatchSourceOptions extends SharedWatchOptions {
  /**
   * Names the source in the error `watch()` rejects with once the source is closed
   * (`<name> is closed`), e.g. `etcd config source for key "app.yaml"`.
   */
  name: string;
  /** Runs once, after the backend watch has stopped: closes what the source owns (a client). */
  onClose?(): void | Promise<void>;
}

/**
 * The common shape of a config source adapter: `load` is `read`, `watch` subscribes to one
 * {@link createSharedWatch} shared by every watcher, and `close` ends them all. An adapter only
 * says how to read its backend and how to learn of changes.
 */
export function createSharedWatchSource(options: SharedWatchSourceOptions): SharedWatchSource {
  const shared = createSharedWatch(options);
  let closed = false;
  return {
    load: () => options.read(),
    async watch(): Promise<Watcher<KeyValue[]>> {
      if (closed) throw new Error(`${options.name} is closed`);
      return shared.subscribe();
    },
    get activeWatches() {
      return shared.active ? 1 : 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await shared.close();
      await options.onClose?.();
    },
  };
}
