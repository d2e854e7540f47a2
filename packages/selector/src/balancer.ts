import type { Node } from '@kratos/core';
import type { Balancer, WeightedNode } from '@kratos/core/adapter';

/**
 * A balancer that also says how to wrap a node in the statistics it weighs (Go Kratos pairs each
 * balancer with a `WeightedNodeBuilder`). {@link createSelector} uses `createWeightedNode`; a plain
 * core `Balancer` gets static-weight nodes.
 */
export interface NodeBalancer extends Balancer {
  /** `p2c`, `wrr`, `random`, or a custom name. */
  readonly name: string;
  createWeightedNode(node: Node): WeightedNode;
}

/** True for a {@link NodeBalancer}. */
export function isNodeBalancer(balancer: Balancer): balancer is NodeBalancer {
  return typeof (balancer as Partial<NodeBalancer>).createWeightedNode === 'function';
}

/** A source of uniform numbers in [0, 1); default `Math.random`. */
export type RandomSource = () => number;
