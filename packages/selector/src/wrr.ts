import type { Context, Node, WeightedNode } from '@kratos/core';
import type { NodeBalancer } from './balancer.ts';
import type { Clock } from './clock.ts';
import { DirectNode } from './direct-node.ts';
import { noAvailableNode } from './errors.ts';

/** A direct node carrying its current weight for the balancer that made it (no map lookup per pick). */
class WrrNode extends DirectNode {
  readonly owner: object;
  readonly cell = { value: 0 };
  constructor(node: Node, owner: object, now: Clock | undefined) {
    super(node, now);
    this.owner = owner;
  }
}

/** Options of {@link wrrBalancer}. */
export interface WrrBalancerOptions {
  /** Milliseconds; default `performance.now`. */
  now?: Clock;
}

/**
 * Smooth weighted round robin (nginx's algorithm, Go Kratos' `selector/wrr`): every pick adds each
 * node's weight to its current weight, takes the highest (first on a tie) and subtracts the total
 * from it. Weights 5, 1, 1 give a, a, b, a, c, a, a. The weight is `metadata.weight`, default 100.
 */
export function wrrBalancer(options: WrrBalancerOptions = {}): NodeBalancer {
  const now = options.now;
  // Current weights live with the weighted node, so a node the selector keeps across updates
  // keeps its place in the rotation and removed nodes are forgotten with their node.
  const current = new WeakMap<WeightedNode, { value: number }>();
  const owner = {};
  return {
    name: 'wrr',
    createWeightedNode: (node) => new WrrNode(node, owner, now),
    pick(_ctx: Context, nodes: readonly WeightedNode[]) {
      if (nodes.length === 0) throw noAvailableNode();
      let total = 0;
      let selected: WeightedNode | undefined;
      let selectedCell: { value: number } | undefined;
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        const w = node.weight();
        total += w;
        let cell = node instanceof WrrNode && node.owner === owner ? node.cell : current.get(node);
        if (!cell) {
          cell = { value: 0 };
          current.set(node, cell);
        }
        cell.value += w;
        if (!selectedCell || selectedCell.value < cell.value) {
          selected = node;
          selectedCell = cell;
        }
      }
      selectedCell!.value -= total;
      return { node: selected!, done: selected!.pick() };
    },
  };
}
