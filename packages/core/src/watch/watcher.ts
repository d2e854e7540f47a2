/**
 * A stream of full snapshots: yields the current value on start and after every change.
 * `stop()` ends iteration (a pending `next()` resolves `done`).
 */
export interface Watcher<T> extends AsyncIterable<T> {
  stop(): Promise<void>;
}

/** The writing end of a {@link Watcher} made by {@link createWatchChannel}. */
export interface WatchChannel<T> {
  readonly watcher: Watcher<T>;
  /** Publishes a new snapshot; a slow reader only sees the newest one. */
  push(value: T): void;
  /** Ends iteration with an error. */
  fail(error: unknown): void;
  /** Ends iteration. */
  close(): void;
  readonly closed: boolean;
}

/**
 * Makes a latest-value watcher: a reader gets each snapshot at most once, and when several
 * arrive between two reads it gets only the newest (snapshots are full sets, so nothing is lost).
 */
export function createWatchChannel<T>(onStop?: () => void | Promise<void>): WatchChannel<T> {
  let pending: { value: T } | undefined;
  let error: { error: unknown } | undefined;
  let closed = false;
  // Readers waiting for a value, oldest first (normally one; concurrent next() calls queue).
  const waiters: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];

  const settle = () => {
    while (waiters.length > 0) {
      if (pending) {
        const v = pending.value;
        pending = undefined;
        waiters.shift()!.resolve({ value: v, done: false });
      } else if (error) {
        waiters.shift()!.reject(error.error);
      } else if (closed) {
        waiters.shift()!.resolve({ value: undefined, done: true });
      } else return;
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (!stopping) {
      closed = true;
      pending = undefined;
      settle();
      stopping = Promise.resolve(onStop?.());
    }
    return stopping;
  };

  const iterator: AsyncIterator<T> = {
    next() {
      if (pending) {
        const v = pending.value;
        pending = undefined;
        return Promise.resolve({ value: v, done: false });
      }
      if (error) return Promise.reject(error.error);
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiters.push({ resolve, reject });
      });
    },
    async return() {
      await stop();
      return { value: undefined, done: true };
    },
  };

  const watcher: Watcher<T> = {
    [Symbol.asyncIterator]: () => iterator,
    stop,
  };

  return {
    watcher,
    push(value) {
      if (closed) return;
      pending = { value };
      settle();
    },
    fail(e) {
      if (closed) return;
      error = { error: e };
      closed = true;
      settle();
    },
    close() {
      closed = true;
      settle();
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * One source, many watchers: each subscriber gets the latest snapshot at once (if there is one)
 * and every later one. Backends use it so that many watchers of one key share one backend watch.
 */
export interface Fanout<T> {
  /** A new watcher; `onEmpty` runs when the last one stops. */
  subscribe(): Watcher<T>;
  publish(value: T): void;
  readonly latest: T | undefined;
  readonly subscribers: number;
  /** Ends every subscriber. */
  close(): void;
}

/** Makes a {@link Fanout}. `onEmpty` runs when the last subscriber stops (tear the backend watch down). */
export function createFanout<T>(onEmpty?: () => void | Promise<void>): Fanout<T> {
  const channels = new Set<WatchChannel<T>>();
  let latest: { value: T } | undefined;
  return {
    subscribe() {
      const ch: WatchChannel<T> = createWatchChannel<T>(async () => {
        if (channels.delete(ch) && channels.size === 0) await onEmpty?.();
      });
      channels.add(ch);
      if (latest) ch.push(latest.value);
      return ch.watcher;
    },
    publish(value) {
      latest = { value };
      for (const ch of channels) ch.push(value);
    },
    get latest() {
      return latest?.value;
    },
    get subscribers() {
      return channels.size;
    },
    close() {
      for (const ch of channels) ch.close();
      channels.clear();
    },
  };
}
