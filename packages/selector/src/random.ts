import type { Context } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
import type { NodeBalancer, RandomSource } from './balancer.ts';
import type { Clock } from './clock.ts';
import { DirectNode } from './direct-node.ts';
import { noAvailableNode } from './errors.ts';

/** Options of {@link randomBalancer}. */
export interface RandomBalancerOptions {
  /** Uniform [0, 1); default `Math.random`. */
  random?: RandomSource;
  /** Milliseconds; default `performance.now`. */
  now?: Clock;
}

/** Picks a node uniformly at random (Go Kratos' `selector/random`). */
export function randomBalancer(options: RandomBalancerOptions = {}): NodeBalancer {
  const random = options.random ?? Math.random;
  const now = options.now;
  return {
    name: 'random',
    createWeightedNode: (node) => new DirectNode(node, now),
    pick(_ctx: Context, nodes: readonly WeightedNode[]) {
      if (nodes.length === 0) throw noAvailableNode();
      const node = nodes[Math.floor(random() * nodes.length)] ?? nodes[0]!;
      return { node, done: node.pick() };
    },
  };
}
