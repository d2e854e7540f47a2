/** What {@link createCoalescedTask} returns. */
export interface CoalescedTask {
  /**
   * Runs the task, or, while a run is in flight, asks for exactly one more run once it ends
   * (calls in between join that one). Resolves when a run that started after this call has
   * ended; never rejects.
   */
  run(): Promise<void>;
  /** True while a run is in flight or queued. */
  readonly running: boolean;
  /** Resolves once no run is in flight or queued (for a clean close). */
  idle(): Promise<void>;
}

/** Options of {@link createCoalescedTask}. */
export interface CoalescedTaskOptions {
  /** Checked before each queued run: once true, queued runs are dropped. Default: never. */
  stopped?(): boolean;
  /** Gets what a run throws (a task should handle its own errors; this is the last resort). Default: ignored. */
  onError?(error: unknown): void;
}

/**
 * The coalescing re-read behind every watch: "the backend changed, read it all again" may arrive
 * many times while a read is in flight; one more read after it covers them all, and no change
 * is missed, since that read starts after the last notice.
 */
export function createCoalescedTask(
  task: () => Promise<void>,
  options: CoalescedTaskOptions = {},
): CoalescedTask {
  let inFlight: Promise<void> | undefined;
  let again = false;
  const stopped = options.stopped ?? (() => false);
  const loop = async () => {
    await undefined; // so a task that calls run() at once finds this run in flight
    do {
      again = false;
      try {
        await task();
      } catch (e) {
        options.onError?.(e);
      }
    } while (again && !stopped());
    again = false;
    inFlight = undefined;
  };
  return {
    run() {
      if (inFlight) {
        again = true;
        return inFlight;
      }
      inFlight = loop();
      return inFlight;
    },
    get running() {
      return inFlight !== undefined;
    },
    idle: () => inFlight ?? Promise.resolve(),
  };
}
