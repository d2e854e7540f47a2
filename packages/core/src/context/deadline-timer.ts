/** A scheduled expiry; `cancel()` it when the call finishes first. */
export interface DeadlineHandle {
  cancel(): void;
}

/** A scheduled deadline: a node of its bucket's doubly linked list, unlinked when cancelled. */
interface Entry extends DeadlineHandle {
  fn: ((arg: unknown) => void) | undefined;
  arg: unknown;
  bucket: Bucket | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

interface Bucket {
  key: number;
  head: Entry | undefined;
  tail: Entry | undefined;
}

/** Options of {@link createDeadlineTimer}. */
export interface DeadlineTimerOptions {
  /** Granularity in ms; deadlines fire up to this late. Default 5. */
  resolution?: number;
}

/** One shared timer for many deadlines. */
export interface DeadlineTimer {
  /**
   * Calls `fn(arg)` once at `deadline` (epoch ms) unless cancelled first. Passing the call's state
   * as `arg` to one shared `fn` saves a closure per call on hot paths.
   */
  schedule<T>(deadline: number, fn: (arg: T) => void, arg?: T): DeadlineHandle;
  /** Number of scheduled, not yet fired or cancelled, deadlines (approximate). */
  readonly size: number;
  /** Stops the timer; pending deadlines never fire. */
  close(): void;
}

/**
 * A coarse timer wheel: one interval per server instead of a timer (and an AbortSignal) per
 * request. `AbortSignal.timeout` per request costs a third of hello-world throughput
 * (see PERFORMANCE.md). Scheduling appends to a bucket's linked list; cancelling unlinks the entry
 * at once, so a finished call leaves nothing behind for the garbage collector to promote (entries
 * parked until their bucket came due kept a second of requests alive: 12% of CPU in GC).
 */
export function createDeadlineTimer(options: DeadlineTimerOptions = {}): DeadlineTimer {
  const resolution = Math.max(1, options.resolution ?? 5);
  const buckets = new Map<number, Bucket>();
  // Calls arriving together share a bucket: the last one used saves a map lookup per schedule.
  let recent: Bucket | undefined;
  let size = 0;
  let last = Math.floor(Date.now() / resolution);
  let interval: NodeJS.Timeout | undefined;

  const unlink = (e: Entry) => {
    const b = e.bucket;
    if (b === undefined) return;
    if (e.prev) e.prev.next = e.next;
    else b.head = e.next;
    if (e.next) e.next.prev = e.prev;
    else b.tail = e.prev;
    e.prev = e.next = e.bucket = undefined;
    // An emptied bucket stays in the map until its time comes: requests handled one at a time
    // would otherwise add and delete a bucket each (the map shrinking and growing per request).
  };

  const fire = (bucket: Bucket, errors: unknown[]) => {
    buckets.delete(bucket.key);
    if (recent === bucket) recent = undefined;
    for (let e = bucket.head; e !== undefined; ) {
      const next = e.next;
      const fn = e.fn;
      const arg = e.arg;
      e.fn = e.arg = e.prev = e.next = e.bucket = undefined;
      if (fn) {
        size--;
        // One throwing callback must not stop the others in its bucket from firing.
        try {
          fn(arg);
        } catch (err) {
          errors.push(err);
        }
      }
      e = next;
    }
  };

  const tick = () => {
    const now = Math.floor(Date.now() / resolution);
    const errors: unknown[] = [];
    if (now - last > buckets.size) {
      // A long stall (or a clock jump): visit the buckets that exist, not every slot in between.
      for (const [b, bucket] of [...buckets].sort((x, y) => x[0] - y[0])) {
        if (b > now) break;
        fire(bucket, errors);
      }
    } else {
      for (let b = last + 1; b <= now; b++) {
        const bucket = buckets.get(b);
        if (bucket) fire(bucket, errors);
      }
    }
    last = now;
    if (size <= 0 && interval) {
      // Nothing left to fire: drop the emptied buckets and stop ticking until the next schedule.
      clearInterval(interval);
      interval = undefined;
      buckets.clear();
      recent = undefined;
      size = 0;
    }
    // Surfaces like an exception thrown from any timer callback would.
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors);
  };

  function cancel(this: Entry) {
    if (this.fn) {
      this.fn = this.arg = undefined;
      size--;
      unlink(this);
    }
  }

  return {
    schedule<T>(deadline: number, fn: (arg: T) => void, arg?: T) {
      // No deadline (Infinity) never fires; NaN is a caller bug worth a clear error.
      if (Number.isNaN(deadline)) throw new TypeError('deadline timer: deadline is NaN');
      if (deadline === Number.POSITIVE_INFINITY) return { cancel() {} };
      let key = Math.ceil(deadline / resolution);
      if (interval === undefined) {
        last = Math.floor(Date.now() / resolution);
        interval = setInterval(tick, resolution);
        interval.unref();
      }
      if (key <= last) key = last + 1;
      let bucket = recent !== undefined && recent.key === key ? recent : buckets.get(key);
      if (bucket === undefined) {
        bucket = { key, head: undefined, tail: undefined };
        buckets.set(key, bucket);
      }
      recent = bucket;
      const entry: Entry = {
        fn: fn as (arg: unknown) => void,
        arg,
        cancel,
        bucket,
        prev: bucket.tail,
        next: undefined,
      };
      if (bucket.tail) bucket.tail.next = entry;
      else bucket.head = entry;
      bucket.tail = entry;
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
      for (const bucket of buckets.values()) {
        for (let e = bucket.head; e !== undefined; ) {
          const next = e.next;
          e.fn = e.arg = e.prev = e.next = e.bucket = undefined;
          e = next;
        }
      }
      buckets.clear();
      recent = undefined;
      size = 0;
    },
  };
}
