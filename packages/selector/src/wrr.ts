import type { Context, Node } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
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

/** Longest precomputed rotation, in picks, and most work spent building one (picks x nodes). */
const MAX_PERIOD = 4096;
const MAX_BUILD = 2_000_000;

type Cell = { value: number };

/**
 * One full period of the rotation for one node list, replayed pick by pick: with static weights
 * smooth WRR repeats itself every `sum(w) / gcd(w)` picks, so the O(n) scan per pick is done once
 * per period instead. `cells` are left as they were when the period started and brought up to date
 * by {@link syncCells} when the list changes, so the result is exactly the per-pick algorithm's.
 */
interface Rotation {
  readonly nodes: readonly WeightedNode[];
  readonly cells: Cell[];
  readonly weights: number[];
  readonly start: number[];
  readonly order: number[];
  readonly total: number;
  next: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Writes the current weights a rotation stands for back into its cells. */
function syncCells(r: Rotation): void {
  for (let i = 0; i < r.cells.length; i++) r.cells[i]!.value = r.start[i]! + r.next * r.weights[i]!;
  for (let k = 0; k < r.next; k++) r.cells[r.order[k]!]!.value -= r.total;
}

/**
 * Smooth weighted round robin (nginx's algorithm, Go Kratos' `selector/wrr`): every pick adds each
 * node's weight to its current weight, takes the highest (first on a tie) and subtracts the total
 * from it. Weights 5, 1, 1 give a, a, b, a, c, a, a. The weight is `metadata.weight`, default 100.
 *
 * For a node list it sees again (the selector hands the same array until the next update) the
 * rotation is computed once per period and replayed, so a pick costs the same at 300 nodes as at
 * 10; integer weights and a period up to 4096 picks qualify, anything else scans every pick.
 */
export function wrrBalancer(options: WrrBalancerOptions = {}): NodeBalancer {
  const now = options.now;
  // Current weights live with the weighted node, so a node the selector keeps across updates
  // keeps its place in the rotation and removed nodes are forgotten with their node.
  const current = new WeakMap<WeightedNode, Cell>();
  const owner = {};
  let rotation: Rotation | undefined;
  // The list picked per pick, how many such picks until a rotation is tried, and failed tries.
  let slowList: readonly WeightedNode[] | undefined;
  let slowPicks = 0;
  let failures = 0;

  const cellOf = (node: WeightedNode): Cell => {
    let cell = node instanceof WrrNode && node.owner === owner ? node.cell : current.get(node);
    if (!cell) {
      cell = { value: 0 };
      current.set(node, cell);
    }
    return cell;
  };

  /** One pick by the per-pick algorithm, updating the cells. */
  const scan = (nodes: readonly WeightedNode[]): WeightedNode => {
    let total = 0;
    let selected: WeightedNode | undefined;
    let selectedCell: Cell | undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const w = node.weight();
      total += w;
      const cell = cellOf(node);
      cell.value += w;
      if (!selectedCell || selectedCell.value < cell.value) {
        selected = node;
        selectedCell = cell;
      }
    }
    selectedCell!.value -= total;
    return selected!;
  };

  /**
   * The rotation of `nodes` from their current weights; otherwise how many per-pick steps to take
   * before trying again (Infinity: the list never qualifies).
   */
  const build = (nodes: readonly WeightedNode[]): Rotation | number => {
    const n = nodes.length;
    const weights = nodes.map((node) => node.weight());
    let total = 0;
    let g = 0;
    for (const w of weights) {
      if (!Number.isSafeInteger(w) || w <= 0) return Number.POSITIVE_INFINITY;
      total += w;
      g = gcd(g, w);
    }
    const period = total / g;
    if (period > MAX_PERIOD || period * n > MAX_BUILD) return Number.POSITIVE_INFINITY;
    const cells = nodes.map(cellOf);
    const start = cells.map((c) => c.value);
    const values = start.slice();
    const order: number[] = new Array(period);
    for (let k = 0; k < period; k++) {
      let best = 0;
      for (let i = 0; i < n; i++) {
        values[i]! += weights[i]!;
        if (values[best]! < values[i]!) best = i;
      }
      values[best]! -= total;
      order[k] = best;
    }
    // The rotation repeats only if a period brings every weight back to where it started
    // (true from a fresh start; after an update, kept nodes may need a few picks to settle).
    for (let i = 0; i < n; i++) if (values[i] !== start[i]) return period;
    return { nodes, cells, weights, start, order, total, next: 0 };
  };

  return {
    name: 'wrr',
    createWeightedNode: (node) => new WrrNode(node, owner, now),
    pick(_ctx: Context, nodes: readonly WeightedNode[]) {
      if (nodes.length === 0) throw noAvailableNode();
      let r = rotation;
      if (r === undefined || r.nodes !== nodes) {
        if (r !== undefined) syncCells(r);
        rotation = r = undefined;
        if (slowList !== nodes) {
          // First sight of this list: one per-pick step. Only a list handed again (the selector's
          // list between updates, not a filtered copy made per call) is worth a rotation.
          slowList = nodes;
          slowPicks = 1;
          failures = 0;
        } else if (slowPicks === 0 && nodes.length > 1) {
          const built = build(nodes);
          if (typeof built !== 'number') rotation = r = built;
          // Not settled yet (kept nodes after an update): try again after a period or more of
          // per-pick steps, so failed tries cost no more than the steps; give up after four.
          else slowPicks = ++failures > 4 ? Number.POSITIVE_INFINITY : built * 2 ** failures;
        }
      }
      if (r === undefined) {
        if (slowPicks > 0) slowPicks--;
        const selected = scan(nodes);
        return { node: selected, done: selected.pick() };
      }
      const selected = nodes[r.order[r.next]!]!;
      if (++r.next === r.order.length) r.next = 0;
      return { node: selected, done: selected.pick() };
    },
  };
}
