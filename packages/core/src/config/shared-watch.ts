import { repeatWithBackoff } from '../watch/backoff.ts';
import { createCoalescedTask } from '../watch/coalesce.ts';
import type { Watcher } from '../watch/watcher.ts';
import { createFanout, type Fanout } from '../watch/watcher.ts';
import type { KeyValue } from './source.ts';

/** What `start` gets: ways to report changes, and a signal that aborts when the last watcher stops. */
export interface WatchControl {
  /** The backend may have changed: read the full set again (calls coalesce). */
  changed(): void;
  /** The backend handed over a full set (long polls): publish it if it differs from the last one. */
  publish(set: KeyValue[]): void;
  /**
   * The backend watch broke after `start` returned (a long poll or blocking query failed): the
   * shared watch stops it and calls `start` again, with the same backoff as a failed start
   * (starting over once the backend has answered). So an adapter's loop never retries by
   * itself: one retry layer, here.
   */
  fail(error: unknown): void;
  /**
   * The loop of a long poll: runs `step` again and again until the watch stops; a throw breaks
   * the backend watch (as `fail`). Returns what `start` returns (it waits for the running step).
   */
  repeat(step: () => Promise<void>): () => Promise<void>;
  readonly signal: AbortSignal;
}

/** Options of {@link createSharedWatch}. */
export interface SharedWatchOptions {
  /** Reads the full set (the source's `load`). */
  read(): Promise<KeyValue[]>;
  /**
   * Starts change notifications and returns what stops them. Call `control.changed()` once
   * the backend watch is established: that first read publishes the initial set. A throw (or a
   * later `control.fail`) is logged through `onError` and `start` is retried with backoff until it
   * succeeds or the watch stops.
   */
  start(control: WatchControl): Promise<(() => void | Promise<void>) | undefined>;
  /** Logs a failed read or start; the last good set stays published. */
  onError(phase: 'read' | 'start', error: unknown): void;
  /** Upper bound of the retry backoff. Default 10000 ms. */
  maxBackoffMs?: number;
}

/** One backend watch shared by every watcher of a source. */
export interface SharedWatch {
  /** A new watcher: it gets the current set as soon as there is one, then every changed set. */
  subscribe(): Watcher<KeyValue[]>;
  /** True while a backend watch is open (some watcher has not stopped). */
  readonly active: boolean;
  /** Ends every watcher and the backend watch. */
  close(): Promise<void>;
}

/** Whether two sets hold the same documents in the same order, byte for byte. */
export function sameSet(a: readonly KeyValue[], b: readonly KeyValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as KeyValue;
    const y = b[i] as KeyValue;
    if (x.key !== y.key || x.format !== y.format || !Buffer.from(x.value).equals(Buffer.from(y.value)))
      return false;
  }
  return true;
}

interface Session {
  fan: Fanout<KeyValue[]>;
  close(): Promise<void>;
}

/**
 * Opens the backend watch with the first subscriber and closes it with the last. Reads after
 * a change are coalesced (one in flight, one more queued), identical sets are not published
 * again, and a failed read publishes nothing, so watchers keep the last good set through an
 * outage.
 */
export function createSharedWatch(options: SharedWatchOptions): SharedWatch {
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let session: Session | undefined;

  const open = (): Session => {
    const ac = new AbortController();
    const { signal } = ac;
    let last: KeyValue[] | undefined;
    // Called when the backend answered since the current start: a break after that is not a failure in a row.
    let progressed = () => {};
    const publish = (set: KeyValue[]) => {
      progressed();
      if (signal.aborted || (last && sameSet(last, set))) return;
      last = set;
      fan.publish(set);
    };
    const reread = createCoalescedTask(
      async () => {
        try {
          publish(await options.read());
        } catch (e) {
          if (!signal.aborted) options.onError('read', e);
        }
      },
      { stopped: () => signal.aborted },
    );
    const changed = () => {
      if (!signal.aborted) void reread.run();
    };

    let running: Promise<void> = Promise.resolve();
    // One run of the backend watch: start it, then wait until it breaks or the watch stops.
    const runBackend = async (backendAnswered: () => void) => {
      progressed = backendAnswered;
      let onAbort = () => {};
      let broke: (e: unknown) => void = () => {};
      const broken = new Promise<{ error: unknown } | undefined>((resolve) => {
        broke = (error) => resolve({ error });
        onAbort = () => resolve(undefined);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const fail = (e: unknown) => broke(e);
        const repeat = (step: () => Promise<void>) => {
          const loop = (async () => {
            try {
              while (!signal.aborted) await step();
            } catch (e) {
              if (!signal.aborted) fail(e);
            }
          })();
          return () => loop;
        };
        const stop = await options.start({ changed, publish, signal, fail, repeat });
        if (signal.aborted) onAbort();
        const outcome = await broken;
        await stop?.();
        // Broken: start again after a pause (the initial one when the backend had answered).
        if (outcome) throw outcome.error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    };

    const s: Session = {
      fan: createFanout<KeyValue[]>(() => {
        if (session === s) session = undefined;
        return s.close();
      }),
      async close() {
        if (signal.aborted) return;
        ac.abort();
        await running;
        await reread.idle();
        s.fan.close();
      },
    };
    const fan = s.fan;
    // Started once `fan` exists: a start may publish at once.
    running = repeatWithBackoff(runBackend, {
      signal,
      maxBackoffMs: maxBackoff,
      onError: (e) => options.onError('start', e),
    });
    return s;
  };

  return {
    subscribe() {
      if (!session) session = open();
      return session.fan.subscribe();
    },
    get active() {
      return session !== undefined;
    },
    async close() {
      const s = session;
      session = undefined;
      await s?.close();
    },
  };
}
