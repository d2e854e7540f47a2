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
 * How: while the loop is backed up (a turn that ran at least `budget` ms ended less than one
 * bucket before this one began, or the limiter's load signal is over its threshold), a call is
 * shed when the turn's work so far (the wall time
 * since its first call) plus the calls it admitted that have not finished yet, at the cost of one
 * synchronous call, reaches `budget`. The time is measured, not predicted: the turn admits what
 * fits, however the cost of a call moves (a shed, the loop's own work, a slower core: all count).
 * The predicted part is for calls admitted together and run after (a transport that admits every
 * request it read before running any): a synchronous call's cost is the smallest mean duration of
 * such calls per bucket over the window (like Go's minRT), a call's duration counted from the later
 * of its admission and the turn's previous synchronous finish. The first call of a turn is always
 * admitted.
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
  #backedUp = false;
  /** When the last turn that ran at least the budget ended. */
  #lastLongEnd = Number.NEGATIVE_INFINITY;
  /** When the current turn's first call arrived. */
  #start = Number.NEGATIVE_INFINITY;
  /** Calls admitted in this turn that have not finished. */
  #pending = 0;
  /** When the last synchronous call of this turn finished. */
  #lastFinish = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;
  readonly #end = () => {
    const t = this.#now();
    if (t - this.#start >= this.#budget) this.#lastLongEnd = t;
    this.#lastFinish = Number.NEGATIVE_INFINITY;
    this.#pending = 0;
    this.#turn++;
    this.#open = false;
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
   * Synchronous calls a backed-up turn admits when nothing else takes its time (`budget` over the
   * cost of one, at least 1), for statistics; Infinity when the guard is off or no cost is known.
   */
  limit(t: number): number {
    if (this.#budget === 0) return Number.POSITIVE_INFINITY;
    const cost = this.cost(t);
    if (!(cost > 0) || !Number.isFinite(cost)) return Number.POSITIVE_INFINITY;
    return Math.max(1, Math.ceil(this.#budget / cost));
  }

  /**
   * Counts a call that reached the limiter at `t`; true when it must be shed because its turn
   * has admitted its budget of a backed-up loop. Backed up: a long turn (at least `budget` ms)
   * ended within the last bucket, not only the previous turn (over one HTTP/2 connection a turn
   * that read a single request often sits between two long ones; judged by it alone, the next
   * turn admitted everything it read, 10-20 calls of 4 ms), or `hot`, the load signal is over
   * the threshold.
   */
  arrive(t: number, hot = false): boolean {
    if (this.#budget === 0) return false;
    if (!this.#open) {
      this.#open = true;
      setImmediate(this.#end);
      this.#backedUp = t - this.#lastLongEnd <= this.#bucketMs;
      this.#start = t;
      return false;
    }
    if (!this.#backedUp && !hot) return false;
    let work = t - this.#start;
    if (this.#pending > 0) {
      const cost = this.cost(t);
      if (Number.isFinite(cost)) work += this.#pending * cost;
    }
    return work >= this.#budget;
  }

  /** The call counted by the last {@link arrive} was admitted. */
  admitted(): void {
    this.#pending++;
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
    if (this.#pending > 0) this.#pending--;
    const since = Math.max(end - took, this.#lastFinish);
    this.#lastFinish = end;
    this.#cost.add(end - since, end);
  }
}
