/** Options of {@link repeatWithBackoff}. */
export interface RepeatWithBackoffOptions {
  /** Ends the loop: checked before every step, and it cuts a pause short. */
  signal: AbortSignal;
  /**
   * Called with each error a step throws, and the pause that follows it, unless the signal has
   * aborted by then (the error is then most likely the abort's own, and nothing is reported).
   */
  onError(error: unknown, retryInMs: number): void;
  /** The pause after a first failure; it doubles with every further failure in a row. Default 250 ms. */
  initialBackoffMs?: number;
  /** The longest pause. Default 10000 ms. */
  maxBackoffMs?: number;
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts (never rejects), leaving no timer or
 * listener behind.
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `step` again and again until `signal` aborts: the loop behind a long poll, a blocking
 * query or a watch that the server ends from time to time. A step that throws is reported
 * through `onError` and followed by a pause (`initialBackoffMs`, doubling with each failure in a
 * row up to `maxBackoffMs`); a step that returns starts the next one at once and resets the
 * pause. Resolves once the signal has aborted and the running step has ended; rejects only when
 * `onError` throws.
 */
export async function repeatWithBackoff(
  step: () => Promise<void>,
  options: RepeatWithBackoffOptions,
): Promise<void> {
  const { signal } = options;
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 10_000;
  for (let failures = 0; !signal.aborted; ) {
    try {
      await step();
      failures = 0;
    } catch (e) {
      if (signal.aborted) return;
      const retryInMs = Math.min(max, initial * 2 ** failures++);
      options.onError(e, retryInMs);
      await pause(retryInMs, signal);
    }
  }
}
