import { RollingWindow } from './rolling-window.ts';

/**
 * The Node half of the BBR limiter: a bound on the synchronous work one event-loop turn may admit
 * while the loop is backed up.
 *
 * Why: a Node server reads every request that is ready when the loop polls and runs them one
 * after another in the same turn. A handler that works synchronously (CPU: a render, a JSON
 * transform) is never "in flight" next to another one, so Go's in-flight rule cannot see the
 * queue, which sits in the socket buffers and in the current turn. A call's wait is the work done
 * before it in its turn plus the rest of the turn before it; bounding the work a turn admits
 * bounds both, and the calls past the bound are shed at once (cheap: no handler runs).
 *
 * How: a call admitted and finished within the same turn is synchronous; the smallest mean
 * duration of such calls per bucket over the window (like Go's minRT) is what one costs. A turn
 * may admit `max(1, floor(budget / cost))` calls, but only when the turn before it had more calls
 * than that (a standing queue, not a lone burst after a quiet loop) and ended less than one
 * bucket before this one started (an idle gap means the queue drained). The first call of a turn
 * is always admitted. Counting calls instead of measuring the turn's time keeps the bound
 * independent of how much of the core the process gets: time spent descheduled on a busy host
 * would otherwise count as work and shed calls the loop could serve.
 */
export class TurnGuard {
  readonly #budget: number;
  readonly #size: number;
  readonly #bucketMs: number;
  readonly #cost: RollingWindow;
  #costCache = { val: Number.POSITIVE_INFINITY, at: Number.NEGATIVE_INFINITY };

  /** Counts completed turns; a call admitted and finished under the same value was synchronous. */
  #turn = 0;
  #open = false;
  #calls = 0;
  #admitted = 0;
  #limit = Number.POSITIVE_INFINITY;
  #backedUp = false;
  #lastEnd = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;
  readonly #end = () => {
    this.#backedUp = this.#calls > this.#limit;
    this.#lastEnd = this.#now();
    this.#turn++;
    this.#open = false;
    this.#calls = 0;
    this.#admitted = 0;
  };

  constructor(budget: number, size: number, bucketMs: number, now: () => number) {
    if (!(budget >= 0)) throw new RangeError(`bbr: turnBudget ${budget} ms is not a duration >= 0`);
    this.#budget = budget;
    this.#size = size;
    this.#bucketMs = bucketMs;
    this.#cost = new RollingWindow(size, bucketMs);
    this.#now = now;
  }

  /** The turn a call is admitted in, for {@link finished}. */
  get turn(): number {
    return this.#turn;
  }

  /** Smallest mean duration (ms) of a synchronous call per finished bucket; Infinity when unknown. */
  cost(t: number): number {
    if (t - this.#costCache.at < this.#bucketMs) return this.#costCache.val;
    let min = Number.POSITIVE_INFINITY;
    this.#cost.forEach(t, this.#size - 1, 1, (sum, count) => {
      if (count > 0) min = Math.min(min, sum / count);
    });
    this.#costCache = { val: min, at: t };
    return min;
  }

  /** Calls a backed-up turn may admit; Infinity when the guard is off or no cost is known yet. */
  limit(t: number): number {
    if (this.#budget === 0) return Number.POSITIVE_INFINITY;
    const cost = this.cost(t);
    if (!(cost > 0) || !Number.isFinite(cost)) return Number.POSITIVE_INFINITY;
    return Math.max(1, Math.floor(this.#budget / cost));
  }

  /**
   * Counts a call that reached the limiter at `t`; true when it must be shed because its turn
   * has admitted its share of a backed-up loop.
   */
  arrive(t: number): boolean {
    if (this.#budget === 0) return false;
    if (!this.#open) {
      this.#open = true;
      setImmediate(this.#end);
      if (t - this.#lastEnd > this.#bucketMs) this.#backedUp = false;
      this.#limit = this.limit(t);
    }
    this.#calls++;
    return this.#backedUp && this.#admitted >= this.#limit;
  }

  /** The call counted by the last {@link arrive} was admitted. */
  admitted(): void {
    this.#admitted++;
  }

  /** A call admitted in turn `turn` finished at `end` after `took` ms. */
  finished(turn: number, took: number, end: number): void {
    if (turn === this.#turn && this.#open && this.#budget > 0) this.#cost.add(took, end);
  }
}
