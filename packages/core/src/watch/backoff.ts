/** How the pause between failed attempts grows: {@link backoffDelay}, {@link retryWithBackoff}. */
export interface BackoffOptions {
  /** The pause after a first failure; it doubles with every further failure in a row. Default 250 ms. */
  initialBackoffMs?: number;
  /**
   * The longest pause. Default 2000 ms: a server that comes back after an outage is found again
   * within about 2 s, whatever the outage's length.
   */
  maxBackoffMs?: number;
  /**
   * Spreads each pause at random over `[1 - jitter, 1 + jitter)` times its value, so that many
   * clients cut off together do not retry in step. Default 0 (no spread).
   */
  jitter?: number;
}

/** Options of {@link retryWithBackoff} and {@link repeatWithBackoff}. */
export interface RetryOptions extends BackoffOptions {
  /** Ends the loop: checked before every attempt, and it cuts a pause short. */
  signal: AbortSignal;
  /**
   * Called with each error an attempt throws, the pause that follows it and the number of
   * failures in a row so far, unless the signal has aborted by then (the error is then most
   * likely the abort's own, and nothing is reported). A throw here ends the loop with it.
   */
  onError(error: unknown, retryInMs: number, failures: number): void;
  /** The pauses do not keep the process alive (a client-side loop nobody waits for). Default false. */
  unref?: boolean;
}

/** @deprecated Use {@link RetryOptions}; the same options. */
export type RepeatWithBackoffOptions = RetryOptions;

/** The pause after `failures` failures in a row (1 = the first): `initial * 2^(failures-1)`, capped, jittered. */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const initial = options.initialBackoffMs ?? 250;
  const max = Math.max(initial, options.maxBackoffMs ?? 2000);
  const base = Math.min(max, initial * 2 ** Math.min(Math.max(0, failures - 1), 52));
  const jitter = options.jitter ?? 0;
  return jitter > 0 ? Math.round(base * (1 - jitter + 2 * jitter * Math.random())) : base;
}

/** One step of a {@link backoffSchedule}: this pause, and the schedule after one more failure. */
export interface BackoffStep {
  readonly duration: number;
  next(): BackoffStep;
}

/**
 * The same pauses as {@link backoffDelay}, as an immutable sequence (`duration`, `next()`), for
 * client libraries that take a backoff object (etcd3's `faultHandling.watchBackoff`, cockatiel's
 * `IBackoff` shape). Starts at the pause after the first failure.
 */
export function backoffSchedule(options: BackoffOptions = {}, failures = 1): BackoffStep {
  return {
    duration: backoffDelay(failures, options),
    next: () => backoffSchedule(options, failures + 1),
  };
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts (never rejects), leaving no timer or
 * listener behind.
 */
export function pause(ms: number, signal: AbortSignal, unref = false): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    if (unref) t.unref();
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds and resolves its result, or resolves `undefined` once
 * `signal` aborts (the running attempt is awaited first). Each failure is reported through
 * `onError` and followed by a pause of {@link backoffDelay} (250 ms doubling up to 2 s by
 * default) that the signal cuts short. An attempt that made progress before it failed (a watch
 * that delivered, then broke) calls `progressed()`: the pause after it starts over from the
 * initial one. Rejects only when `onError` throws.
 */
export async function retryWithBackoff<T>(
  attempt: (progressed: () => void) => Promise<T>,
  options: RetryOptions,
): Promise<T | undefined> {
  const { signal } = options;
  let failures = 0;
  const progressed = () => {
    failures = 0;
  };
  while (!signal.aborted) {
    try {
      return await attempt(progressed);
    } catch (e) {
      if (signal.aborted) return undefined;
      const retryInMs = backoffDelay(++failures, options);
      options.onError(e, retryInMs, failures);
      await pause(retryInMs, signal, options.unref);
    }
  }
  return undefined;
}

/**
 * Runs `step` again and again until `signal` aborts: the loop behind a long poll, a blocking
 * query or a watch that the server ends from time to time. A step that throws is retried as
 * {@link retryWithBackoff} does; a step that returns starts the next one at once and resets the
 * pause. Resolves once the signal has aborted and the running step has ended; rejects only when
 * `onError` throws.
 */
export async function repeatWithBackoff(
  step: (progressed: () => void) => Promise<void>,
  options: RetryOptions,
): Promise<void> {
  while (!options.signal.aborted) await retryWithBackoff(step, options);
}
