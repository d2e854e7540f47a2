/**
 * A time window cut into `size` buckets of `bucketMs` each; every bucket keeps the sum and the
 * count of the values added while it was current. Buckets are addressed by absolute index
 * (`floor(now / bucketMs)`), so stale ones are recognised and reset lazily, without a timer.
 * Shared by the BBR limiter and the SRE breaker.
 */
export class RollingWindow {
  readonly size: number;
  readonly bucketMs: number;
  readonly #ids: Float64Array;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;

  constructor(size: number, bucketMs: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`rolling window: bad bucket count ${size}`);
    if (!(bucketMs > 0)) throw new RangeError(`rolling window: bad bucket duration ${bucketMs}`);
    this.size = size;
    this.bucketMs = bucketMs;
    this.#ids = new Float64Array(size).fill(-1);
    this.#sums = new Float64Array(size);
    this.#counts = new Float64Array(size);
  }

  /** The absolute index of the bucket current at `now` (ms). */
  bucketAt(now: number): number {
    return Math.floor(now / this.bucketMs);
  }

  add(value: number, now: number): void {
    const id = this.bucketAt(now);
    const i = id % this.size;
    if (this.#ids[i] !== id) {
      this.#ids[i] = id;
      this.#sums[i] = 0;
      this.#counts[i] = 0;
    }
    this.#sums[i]! += value;
    this.#counts[i]! += 1;
  }

  /**
   * Visits the buckets from `now`'s bucket minus `back` up to `now`'s bucket minus `skipLast`
   * (0: include the current one), oldest first; empty and expired buckets are given as 0/0.
   */
  forEach(now: number, back: number, skipLast: number, fn: (sum: number, count: number) => void): void {
    const cur = this.bucketAt(now);
    for (let id = cur - back; id <= cur - skipLast; id++) {
      if (id < 0) continue;
      const i = id % this.size;
      if (this.#ids[i] === id) fn(this.#sums[i]!, this.#counts[i]!);
      else fn(0, 0);
    }
  }
}
