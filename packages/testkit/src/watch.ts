import { expect } from 'vitest';
import { TimeoutError, withTimeout } from './wait.ts';

// A read that timed out is still pending on the watcher; the next nextMatching call on the same
// watcher picks it up instead of starting a second read, so no snapshot is lost between calls.
const pendingReads = new WeakMap<object, Promise<IteratorResult<unknown>>>();
const iterators = new WeakMap<object, AsyncIterator<unknown>>();

function iteratorOf<T>(source: AsyncIterable<T>): AsyncIterator<T> {
  let it = iterators.get(source);
  if (!it) {
    it = source[Symbol.asyncIterator]();
    iterators.set(source, it);
  }
  return it as AsyncIterator<T>;
}

function describeValue(v: unknown): string {
  let s: string;
  try {
    s =
      JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : x)) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 500 ? `${s.slice(0, 500)}...` : s;
}

/**
 * Reads snapshots from a watcher until one satisfies `predicate`, and returns it. Backends with
 * propagation delays (etcd, consul, nacos) may yield intermediate sets first; this skips them.
 * Rejects with a {@link TimeoutError} naming the last snapshot seen after `timeoutMs`
 * (default 5000), or with an error if the watcher ends first. The watcher is not stopped.
 */
export async function nextMatching<T>(
  watcher: AsyncIterable<T>,
  predicate: (snapshot: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const it = iteratorOf(watcher);
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  let last: { value: T } | undefined;
  for (;;) {
    let read = pendingReads.get(watcher) as Promise<IteratorResult<T>> | undefined;
    if (!read) {
      read = it.next();
      pendingReads.set(watcher, read);
    }
    const remaining = deadline - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, remaining));
    });
    let r: IteratorResult<T> | 'timeout';
    try {
      r = await Promise.race([read, timedOut]);
    } catch (e) {
      pendingReads.delete(watcher);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (r === 'timeout') {
      const lastText = last ? describeValue(last.value) : 'none';
      throw new TimeoutError(
        `no matching snapshot within ${timeoutMs} ms (${seen} snapshots read; last: ${lastText})`,
      );
    }
    pendingReads.delete(watcher);
    if (r.done) {
      throw new Error(`watcher ended before a matching snapshot (${seen} snapshots read)`);
    }
    seen++;
    last = { value: r.value };
    if (predicate(r.value)) return r.value;
  }
}

/**
 * Checks that `stop()` ends a read that is waiting for the next snapshot: the pending `next()`
 * resolves as done within `timeoutMs`, later reads are done too, and a second `stop()` is harmless.
 * Call it once the watcher has delivered what it has (snapshots already queued are read first).
 */
export async function expectStopEndsPendingRead(
  watcher: AsyncIterable<unknown> & { stop(): Promise<void> },
  timeoutMs: number,
): Promise<void> {
  const iter = watcher[Symbol.asyncIterator]();
  // Skip snapshots already delivered, so the read below is really pending.
  let pending = iter.next();
  for (let i = 0; i < 10; i++) {
    const early = await Promise.race([pending, Promise.resolve('pending' as const)]);
    if (early === 'pending') break;
    pending = iter.next();
  }
  await watcher.stop();
  const r = await withTimeout(pending, timeoutMs, 'pending next() after stop()');
  expect(r.done).toBe(true);
  expect((await iter.next()).done).toBe(true);
  await watcher.stop();
}
