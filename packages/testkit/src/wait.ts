/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 5000. */
  timeout?: number;
  /** Pause between attempts, in milliseconds. Default 20. */
  interval?: number;
  /** Said in the timeout error, e.g. `'instance visible in getService'`. */
  message?: string;
}

/** The error {@link withTimeout}, {@link waitFor} and `nextMatching` reject with when time runs out. */
export class TimeoutError extends Error {
  override get name(): string {
    return 'TimeoutError';
  }
}

/**
 * Settles like `work`, or rejects with a {@link TimeoutError} after `ms`. When `work` is a
 * function it receives a signal that aborts on timeout, so it can give up its own I/O.
 */
export function withTimeout<T>(
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  ms: number,
  message = 'operation',
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new TimeoutError(`${message} timed out after ${ms} ms`);
      controller.abort(err);
      reject(err);
    }, ms);
    let p: Promise<T>;
    try {
      p = typeof work === 'function' ? work(controller.signal) : work;
    } catch (e) {
      clearTimeout(timer);
      reject(e);
      return;
    }
    Promise.resolve(p).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `fn` until it neither throws nor returns `false`, `null` or `undefined`, and resolves
 * with that result. Throwing assertions (`expect(...)`) and boolean predicates both work.
 * Rejects with a {@link TimeoutError} (whose `cause` is the last failure) after `timeout`.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const timeout = options.timeout ?? 5000;
  const interval = options.interval ?? 20;
  const deadline = Date.now() + timeout;
  let last: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const v = await fn();
      if (v !== false && v !== null && v !== undefined) return v as Exclude<T, false | null | undefined>;
      last = new Error(`returned ${String(v)}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() + interval > deadline) break;
    await sleep(interval);
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new TimeoutError(
    `${options.message ?? 'condition'} not met within ${timeout} ms (${attempts} attempts; last: ${why})`,
    { cause: last },
  );
}
