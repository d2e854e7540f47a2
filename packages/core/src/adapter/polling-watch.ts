import type { LogHelper } from '../log/helper.ts';
import type { ServiceInstance } from '../registry/registry.ts';
import type { ServiceWatchBackend } from '../registry/service-watches.ts';
import { pause, repeatWithBackoff } from '../watch/backoff.ts';
import type { Fanout } from '../watch/watcher.ts';

/** Options of {@link createPollingWatch}. */
export interface PollingWatchOptions {
  /** Names the backend in log lines: `<backend> unreachable, …`, `<backend> reachable again`. */
  backend: string;
  /** The watched service, as log lines name it. */
  service: string;
  /** Where each changed instance set is published. */
  fan: Fanout<ServiceInstance[]>;
  /** Reads the full instance set of the service once; `signal` aborts when the watch stops. */
  read(signal: AbortSignal): Promise<ServiceInstance[]>;
  /** ms between reads. A failed read is retried with backoff from min(1000, interval) to max(1000, interval). */
  intervalMs: number;
  /** Warns once when reads start failing, and says when they succeed again. */
  log: Pick<LogHelper, 'infow' | 'warnw'>;
}

/** The key two instance sets share when watchers would see no change between them. */
const keyOf = (set: ServiceInstance[]) =>
  JSON.stringify(set.map((i) => [i.id, i.version, i.endpoints, i.metadata]));

/** A publish to `fan` that passes a set on only when its ids, versions, endpoints or metadata changed. */
export function createChangePublisher(fan: Fanout<ServiceInstance[]>): (set: ServiceInstance[]) => void {
  let lastKey: string | undefined;
  return (set) => {
    const key = keyOf(set);
    if (key === lastKey) return;
    lastKey = key;
    fan.publish(set);
  };
}

/** The log lines of a backend watch's outages, made by {@link createOutageLog}. */
export interface OutageLog {
  /** A read failed: warns on the first failure in a row only. */
  failed(error: unknown): void;
  /** A read succeeded: says so if the reads before it failed. */
  recovered(): void;
}

/**
 * Warns once when a backend watch's reads start failing (`<backend> unreachable, watchers keep the
 * last known instances`) and logs at info when they succeed again (`<backend> reachable again`),
 * each line with `fields` (e.g. `['service', name]`).
 */
export function createOutageLog(
  backend: string,
  log: Pick<LogHelper, 'infow' | 'warnw'>,
  fields: readonly unknown[],
): OutageLog {
  let failing = false;
  return {
    failed(e) {
      if (!failing) {
        log.warnw(
          'msg',
          `${backend} unreachable, watchers keep the last known instances`,
          ...fields,
          'error',
          e instanceof Error ? e.message : String(e),
        );
      }
      failing = true;
    },
    recovered() {
      if (failing) log.infow('msg', `${backend} reachable again`, ...fields);
      failing = false;
    },
  };
}

/**
 * The backend watch of a registry that has no push: a read now (its result, or failure, is
 * `ready`), then a read every `intervalMs`, each set published only when it differs from the last.
 * While reads fail, watchers keep the last set. For {@link createServiceWatches}' `open`.
 */
export function createPollingWatch(options: PollingWatchOptions): ServiceWatchBackend {
  const { backend, service, fan, read, intervalMs, log } = options;
  const ctl = new AbortController();
  const publish = createChangePublisher(fan);
  const first = read(ctl.signal).then(publish);
  void first.then(
    () => {
      const outage = createOutageLog(backend, log, ['service', service]);
      return repeatWithBackoff(
        async () => {
          await pause(intervalMs, ctl.signal);
          const set = await read(ctl.signal);
          outage.recovered();
          publish(set);
        },
        {
          signal: ctl.signal,
          initialBackoffMs: Math.min(1000, intervalMs),
          maxBackoffMs: Math.max(1000, intervalMs),
          onError: (e) => outage.failed(e),
        },
      );
    },
    () => {},
  );
  return { ready: first, stop: () => ctl.abort() };
}
