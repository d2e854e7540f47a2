import { createFanout, type Fanout } from '../watch/watcher.ts';
import type { ServiceInstance, ServiceWatcher } from './registry.ts';

/** One backend watch of a service, as an adapter opens it for {@link createServiceWatches}. */
export interface ServiceWatchBackend {
  /** Settles once the first instance set is published; a rejection means the watch could not start. */
  readonly ready: Promise<unknown>;
  /** Stops the backend watch (the last watcher stopped, the start failed, or the registry closes). Called once. */
  stop(): void | Promise<void>;
}

/** Options of {@link createServiceWatches}. */
export interface ServiceWatchesOptions<B extends ServiceWatchBackend = ServiceWatchBackend> {
  /** Opens the backend watch of one service; it publishes each full instance set to `fan`. */
  open(name: string, fan: Fanout<ServiceInstance[]>): B;
  /** Names the backend in errors: `<backend> watch of <service> failed: <reason>`. */
  backend: string;
  /** The service as errors name it. Default: the name as given. */
  serviceLabel?(name: string): string;
  /** The reason a start failed, as errors say it. Default: the error's message. */
  describe?(error: unknown): string;
}

/** The watches of a registry adapter: one backend watch per service, shared by its watchers. */
export interface ServiceWatches<B extends ServiceWatchBackend = ServiceWatchBackend> {
  /**
   * A watcher of `name`. The first opens the backend watch and waits for its first set (a failed
   * start throws and leaves nothing open); later ones share it. The last one to stop closes it.
   */
  watch(name: string): Promise<ServiceWatcher>;
  /** Backend watches open now (a registry's `activeWatches`). */
  readonly size: number;
  /** Where the open watch of `name` publishes (to hand its watchers a set), if one is open. */
  fanOf(name: string): Fanout<ServiceInstance[]> | undefined;
  /** The backend watches open now (to refresh them all after a reconnect, say). */
  backends(): B[];
  /** Ends every watcher and stops every backend watch. */
  close(): Promise<void>;
}

interface Entry<B> {
  fan: Fanout<ServiceInstance[]>;
  backend?: B;
  stopped: boolean;
}

/**
 * The part every registry adapter's `watch` shares: a table of backend watches by service name,
 * each opened by the first watcher and stopped with the last, behind a fan-out that hands a late
 * watcher the current set at once.
 */
export function createServiceWatches<B extends ServiceWatchBackend>(
  options: ServiceWatchesOptions<B>,
): ServiceWatches<B> {
  const entries = new Map<string, Entry<B>>();
  const label = options.serviceLabel ?? ((name: string) => name);
  const describe = options.describe ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));

  const stop = async (entry: Entry<B>): Promise<void> => {
    if (entry.stopped) return;
    entry.stopped = true;
    await entry.backend?.stop();
  };
  const remove = (name: string, entry: Entry<B>): Promise<void> => {
    if (entries.get(name) === entry) entries.delete(name);
    return stop(entry);
  };

  return {
    async watch(name) {
      if (!name) throw new TypeError('watch needs a service name');
      const existing = entries.get(name);
      if (existing) return existing.fan.subscribe();
      const entry: Entry<B> = {
        fan: createFanout<ServiceInstance[]>(() => remove(name, entry)),
        stopped: false,
      };
      entries.set(name, entry);
      try {
        entry.backend = options.open(name, entry.fan);
        await entry.backend.ready;
      } catch (e) {
        await remove(name, entry);
        entry.fan.close(); // watchers that joined while it started end too
        throw new Error(`${options.backend} watch of ${label(name)} failed: ${describe(e)}`, { cause: e });
      }
      return entry.fan.subscribe();
    },
    get size() {
      return entries.size;
    },
    fanOf(name) {
      return entries.get(name)?.fan;
    },
    backends() {
      const out: B[] = [];
      for (const e of entries.values()) if (e.backend !== undefined) out.push(e.backend);
      return out;
    },
    async close() {
      const all = [...entries.values()];
      entries.clear();
      for (const entry of all) {
        entry.fan.close();
        await stop(entry);
      }
    },
  };
}
