import type { Context } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
import type { NodeBalancer, RandomSource } from './balancer.ts';
import type { Clock } from './clock.ts';
import { noAvailableNode } from './errors.ts';
import { EwmaNode } from './ewma-node.ts';

/** A node not picked for this long is picked once when it comes up, to refresh its statistics. */
const FORCE_PICK_MS = 3000;

/** Options of {@link p2cBalancer}. */
export interface P2cBalancerOptions {
  /** Uniform [0, 1); default `Math.random`. */
  random?: RandomSource;
  /** Milliseconds; default `performance.now`. Tests inject a fake clock. */
  now?: Clock;
  /**
   * Whether a call's error counts against the node's success rate. Default `isNodeFailure`:
   * deadline exceeded, cancelled, 503, 504 and network errors.
   */
  isFailure?: (error: unknown) => boolean;
  /** Force-pick gap in ms. Default 3000. */
  forcePickMs?: number;
}

/**
 * Power of two choices over EWMA statistics (Go Kratos' `selector/p2c`): picks two distinct nodes
 * at random and takes the one with the higher effective weight (success rate / (latency x
 * in-flight)); the other is taken instead when it has not been picked for 3 s, so a node that
 * recovered gets probed.
 */
export function p2cBalancer(options: P2cBalancerOptions = {}): NodeBalancer {
  const random = options.random ?? Math.random;
  const forcePick = options.forcePickMs ?? FORCE_PICK_MS;
  const nodeOptions = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.isFailure ? { isFailure: options.isFailure } : {}),
  };
  return {
    name: 'p2c',
    createWeightedNode: (node) => new EwmaNode(node, nodeOptions),
    pick(_ctx: Context, nodes: readonly WeightedNode[]) {
      const n = nodes.length;
      if (n === 0) throw noAvailableNode();
      if (n === 1) {
        const only = nodes[0]!;
        return { node: only, done: only.pick() };
      }
      const a = Math.min(n - 1, Math.floor(random() * n));
      let b = Math.min(n - 2, Math.floor(random() * (n - 1)));
      if (b >= a) b++;
      const nodeA = nodes[a]!;
      const nodeB = nodes[b]!;
      let chosen: WeightedNode;
      let other: WeightedNode;
      if (nodeB.weight() > nodeA.weight()) {
        chosen = nodeB;
        other = nodeA;
      } else {
        chosen = nodeA;
        other = nodeB;
      }
      if (other.pickElapsed() > forcePick) chosen = other;
      return { node: chosen, done: chosen.pick() };
    },
  };
}
