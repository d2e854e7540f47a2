/** A scheduled expiry; `cancel()` it when the call finishes first. */
export interface DeadlineHandle {
  cancel(): void;
}

interface Entry extends DeadlineHandle {
  fn: (() => void) | undefined;
}

/** Options of {@link createDeadlineTimer}. */
export interface DeadlineTimerOptions {
  /** Granularity in ms; deadlines fire up to this late. Default 5. */
  resolution?: number;
}

/** One shared timer for many deadlines. */
export interface DeadlineTimer {
  /** Calls `fn` once at `deadline` (epoch ms) unless cancelled first. */
  schedule(deadline: number, fn: () => void): DeadlineHandle;
  /** Number of scheduled, not yet fired or cancelled, deadlines (approximate). */
  readonly size: number;
  /** Stops the timer; pending deadlines never fire. */
  close(): void;
}

/**
 * A coarse timer wheel: one interval per server instead of a timer (and an AbortSignal) per
 * request. `AbortSignal.timeout` per request costs a third of hello-world throughput
 * (see docs/performance); scheduling here is a push into a bucket and cancelling sets a field.
 */
export function createDeadlineTimer(options: DeadlineTimerOptions = {}): DeadlineTimer {
  const resolution = Math.max(1, options.resolution ?? 5);
  const buckets = new Map<number, Entry[]>();
  let size = 0;
  let last = Math.floor(Date.now() / resolution);
  let interval: NodeJS.Timeout | undefined;

  const tick = () => {
    const now = Math.floor(Date.now() / resolution);
    for (let b = last + 1; b <= now; b++) {
      const list = buckets.get(b);
      if (!list) continue;
      buckets.delete(b);
      for (const e of list) {
        const fn = e.fn;
        if (fn) {
          e.fn = undefined;
          size--;
          fn();
        }
      }
    }
    last = now;
    if (buckets.size === 0 && interval) {
      clearInterval(interval);
      interval = undefined;
      size = 0;
    }
  };

  function cancel(this: Entry) {
    if (this.fn) {
      this.fn = undefined;
      size--;
    }
  }

  return {
    schedule(deadline, fn) {
      const entry: Entry = { fn, cancel };
      let bucket = Math.ceil(deadline / resolution);
      if (interval === undefined) {
        last = Math.floor(Date.now() / resolution);
        interval = setInterval(tick, resolution);
        interval.unref();
      }
      if (bucket <= last) bucket = last + 1;
      const list = buckets.get(bucket);
      if (list) list.push(entry);
      else buckets.set(bucket, [entry]);
      size++;
      return entry;
    },
    get size() {
      return size;
    },
    close() {
      if (interval) clearInterval(interval);
      interval = undefined;
      buckets.clear();
      size = 0;
    },
  };
}
