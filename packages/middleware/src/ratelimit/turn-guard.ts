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
 * duration of such calls per bucket over the window (like Go's minRT) is what one costs (a call's
 * duration counted from the later of its admission and the turn's previous synchronous finish, so
 * calls admitted together and run one after another each count their own work). A turn
 * may admit `max(1, floor((budget + gap) / cost))` calls, where `gap` is the wall time since the
 * previous turn started that the calls it admitted do not explain (time the process waited for a
 * core on a busy host, or spent shedding), at most 5 budgets: the loop then keeps up with what the
 * core lets it do instead of admitting a fixed few per turn. The bound applies only when the
 * turn before had more calls than `budget / cost` (a standing queue, not a lone burst after a quiet loop) and
 * ended less than one bucket before this one started (an idle gap means the queue drained). The
 * first call of a turn is always admitted.
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
  #base = Number.POSITIVE_INFINITY;
  #backedUp = false;
  #lastEnd = Number.NEGATIVE_INFINITY;
  #start = Number.NEGATIVE_INFINITY;
  #prevAdmitted = 0;
  /** When the last synchronous call of this turn finished. */
  #lastFinish = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;
  readonly #end = () => {
    this.#lastFinish = Number.NEGATIVE_INFINITY;
    this.#backedUp = this.#calls > this.#base;
    this.#lastEnd = this.#now();
    this.#turn++;
    this.#open = false;
    this.#calls = 0;
    this.#prevAdmitted = this.#admitted;
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

  /**
   * Calls a backed-up turn may admit; Infinity when the guard is off or no cost is known yet.
   * `gap`: wall time (ms) since the previous turn started that its admitted calls do not account
   * for (the process was descheduled, or shedding); credited up to 5 budgets.
   */
  limit(t: number, gap = 0): number {
    if (this.#budget === 0) return Number.POSITIVE_INFINITY;
    const cost = this.cost(t);
    if (!(cost > 0) || !Number.isFinite(cost)) return Number.POSITIVE_INFINITY;
    const credit = Math.min(Math.max(0, gap), 5 * this.#budget);
    return Math.max(1, Math.floor((this.#budget + credit) / cost));
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
      const idle = t - this.#lastEnd > this.#bucketMs;
      if (idle) this.#backedUp = false;
      this.#base = this.limit(t);
      const gap = idle ? 0 : t - this.#start - this.#prevAdmitted * this.cost(t);
      this.#limit = this.limit(t, gap);
      this.#start = t;
    }
    this.#calls++;
    return this.#backedUp && this.#admitted >= this.#limit;
  }

  /** The call counted by the last {@link arrive} was admitted. */
  admitted(): void {
    this.#admitted++;
  }

  /**
   * A call admitted in turn `turn` finished at `end` after `took` ms. Its cost is the time since
   * the later of its admission and the previous synchronous finish of the turn: the same as `took`
   * when calls are admitted one after another (middleware), and the work of one call, not the
   * wait behind the others, when a turn admits several first and runs them after (a transport's
   * early admission).
   */
  finished(turn: number, took: number, end: number): void {
    if (turn !== this.#turn || !this.#open || this.#budget === 0) return;
    const since = Math.max(end - took, this.#lastFinish);
    this.#lastFinish = end;
    this.#cost.add(end - since, end);
  }
}
