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

  const fire = (list: Entry[], errors: unknown[]) => {
    for (const e of list) {
      const fn = e.fn;
      if (fn) {
        e.fn = undefined;
        size--;
        // One throwing callback must not stop the others in its bucket from firing.
        try {
          fn();
        } catch (err) {
          errors.push(err);
        }
      }
    }
  };

  const tick = () => {
    const now = Math.floor(Date.now() / resolution);
    const errors: unknown[] = [];
    if (now - last > buckets.size) {
      // A long stall (or a clock jump): visit the buckets that exist, not every slot in between.
      for (const [b, list] of [...buckets].sort((x, y) => x[0] - y[0])) {
        if (b > now) break;
        buckets.delete(b);
        fire(list, errors);
      }
    } else {
      for (let b = last + 1; b <= now; b++) {
        const list = buckets.get(b);
        if (!list) continue;
        buckets.delete(b);
        fire(list, errors);
      }
    }
    last = now;
    if (buckets.size === 0 && interval) {
      clearInterval(interval);
      interval = undefined;
      size = 0;
    }
    // Surfaces like an exception thrown from any timer callback would.
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  };

  function cancel(this: Entry) {
    if (this.fn) {
      this.fn = undefined;
      size--;
    }
  }

  return {
    schedule(deadline, fn) {
      // No deadline (Infinity) never fires; NaN is a caller bug worth a clear error.
      if (Number.isNaN(deadline)) throw new TypeError('deadline timer: deadline is NaN');
      if (deadline === Number.POSITIVE_INFINITY) return { cancel() {} };
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
      // Disarm entries so a later cancel() of a handle does not corrupt the count.
      for (const list of buckets.values()) for (const e of list) e.fn = undefined;
      buckets.clear();
      size = 0;
    },
  };
}
