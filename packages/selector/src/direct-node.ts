import type { Node } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
import type { DoneFunc } from '@kratos/core/transport';
import { type Clock, monotonicNow } from './clock.ts';

/** Weight of a node whose instance metadata has no `weight` (Go Kratos' direct node). */
export const DEFAULT_WEIGHT = 100;

const noop: DoneFunc = () => {};

/**
 * A node weighed by its static weight only (`metadata.weight`, default 100): what the random and
 * wrr balancers use (Go Kratos' `node/direct`).
 */
export class DirectNode implements WeightedNode {
  #node: Node;
  #weight: number;
  #lastPick = Number.NEGATIVE_INFINITY;
  readonly #now: Clock;

  constructor(node: Node, now: Clock = monotonicNow) {
    this.#node = node;
    this.#weight = node.initialWeight ?? DEFAULT_WEIGHT;
    this.#now = now;
  }

  get node(): Node {
    return this.#node;
  }

  /** Points this entry at a refreshed copy of the same node (new metadata / weight). */
  rebind(node: Node): void {
    this.#node = node;
    this.#weight = node.initialWeight ?? DEFAULT_WEIGHT;
  }

  weight(): number {
    return this.#weight;
  }

  pick(): DoneFunc {
    this.#lastPick = this.#now();
    return noop;
  }

  pickElapsed(): number {
    return this.#now() - this.#lastPick;
  }
}
