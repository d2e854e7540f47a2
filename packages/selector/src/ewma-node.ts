import type { Node } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
import type { DoneFunc, DoneInfo } from '@kratos/core/transport';
import { type Clock, monotonicNow } from './clock.ts';
import { isNodeFailure } from './failure.ts';

/** Mean lifetime of a latency/success sample (Go Kratos: 600 ms). */
const TAU_MS = 600;
/**
 * Load of a node with no latency sample yet, on the same scale as `sqrt(latency in ns)`:
 * sqrt(10 s) = 1e5, i.e. a 10 s latency penalty (Go Kratos' `penalty`).
 */
const PENALTY = 1e5;
/** Added to every latency so nodes in near zones look alike (Go Kratos: 5 ms). */
const ZONE_GAP_MS = 5;
/** Start times of in-flight calls kept for the slow-call prediction. */
const SLOTS = 200;
/** A computed weight is reused this long. */
const WEIGHT_CACHE_MS = 5;
const SUCCESS_MAX = 1000;

/** Options of an {@link EwmaNode}. */
export interface EwmaNodeOptions {
  /** Milliseconds; default `performance.now`. Tests inject a fake clock. */
  now?: Clock;
  /** Whether a call's error counts against the node's success rate. Default {@link isNodeFailure}. */
  isFailure?: (error: unknown) => boolean;
}

/**
 * A node weighed by live statistics, as Go Kratos' `node/ewma`: latency and success rate as
 * exponentially weighted moving averages (tau 600 ms), in-flight calls, and a slow-call
 * prediction. Effective weight = success x 1e4 / (sqrt(latency ns + 5 ms) x in-flight).
 */
export class EwmaNode implements WeightedNode {
  #node: Node;
  readonly #now: Clock;
  readonly #isFailure: (error: unknown) => boolean;
  /** Latency EWMA in ms; 0 = no sample yet. */
  #lag = 0;
  #success = SUCCESS_MAX;
  /** Starts at 1 so the load is never zero (Go does the same). */
  #inflight = 1;
  readonly #inflights = new Float64Array(SLOTS).fill(Number.NaN);
  #stamp = Number.NEGATIVE_INFINITY;
  #reqs = 0;
  #lastPick = Number.NEGATIVE_INFINITY;
  #cachedWeight = 0;
  #cachedAt = Number.NEGATIVE_INFINITY;

  constructor(node: Node, options: EwmaNodeOptions = {}) {
    this.#node = node;
    this.#now = options.now ?? monotonicNow;
    this.#isFailure = options.isFailure ?? isNodeFailure;
  }

  get node(): Node {
    return this.#node;
  }

  /** Points this entry at a refreshed copy of the same node, keeping its statistics. */
  rebind(node: Node): void {
    this.#node = node;
  }

  /** Current statistics, for diagnostics and tests. */
  stats(): { latencyMs: number; success: number; inflight: number } {
    return { latencyMs: this.#lag, success: this.#success / SUCCESS_MAX, inflight: this.#inflight - 1 };
  }

  #predict(avgLag: number, now: number): number {
    let total = 0;
    let slow = 0;
    let count = 0;
    const slots = this.#inflights;
    for (let i = 0; i < SLOTS; i++) {
      const start = slots[i]!;
      if (Number.isNaN(start)) continue; // free slot
      count++;
      const lag = now - start;
      if (lag > avgLag) {
        slow++;
        total += lag;
      }
    }
    return slow > 0 && slow >= ((count / 2) | 0) + 1 ? total / slow : 0;
  }

  #load(now: number): number {
    let avgLag = this.#lag;
    if (avgLag === 0) return PENALTY * this.#inflight;
    const predict = this.#predict(avgLag, now);
    if (predict > avgLag) avgLag = predict;
    return Math.sqrt((avgLag + ZONE_GAP_MS) * 1e6) * this.#inflight;
  }

  weight(): number {
    const now = this.#now();
    if (now - this.#cachedAt <= WEIGHT_CACHE_MS) return this.#cachedWeight;
    const w = (this.#success * 1e4) / this.#load(now);
    this.#cachedWeight = w;
    this.#cachedAt = now;
    return w;
  }

  pick(): DoneFunc {
    const start = this.#now();
    this.#lastPick = start;
    this.#inflight++;
    const slot = ++this.#reqs % SLOTS;
    const slots = this.#inflights;
    const held = Number.isNaN(slots[slot]!);
    if (held) slots[slot] = start;
    let finished = false;
    return (info: DoneInfo) => {
      if (finished) return;
      finished = true;
      if (held && slots[slot] === start) slots[slot] = Number.NaN;
      this.#inflight--;
      const now = this.#now();
      const td = Math.max(0, now - this.#stamp);
      this.#stamp = now;
      let w = Math.exp(-td / TAU_MS);
      const lag = Math.max(0, now - start);
      if (this.#lag === 0) w = 0;
      this.#lag = this.#lag * w + lag * (1 - w);
      const ok = info.error == null || !this.#isFailure(info.error) ? SUCCESS_MAX : 0;
      this.#success = this.#success * w + ok * (1 - w);
    };
  }

  pickElapsed(): number {
    return this.#now() - this.#lastPick;
  }
}
