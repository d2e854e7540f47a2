import type { Context, Node, NodeFilter, Selector } from '@kratos/core';
import type { Balancer, WeightedNode } from '@kratos/core/adapter';
import type { DoneFunc, SelectOptions } from '@kratos/core/transport';
import { isNodeBalancer } from './balancer.ts';
import { DirectNode } from './direct-node.ts';
import { noAvailableNode } from './errors.ts';
import type { NodeHealth } from './health.ts';
import { nodeKey } from './node.ts';
import { p2cBalancer } from './p2c.ts';
import { randomBalancer } from './random.ts';
import { wrrBalancer } from './wrr.ts';

/** Balancers known by name. */
export type BalancerName = 'p2c' | 'wrr' | 'random';

/** Options of {@link createSelector}. */
export interface SelectorOptions {
  /** A balancer or its name. Default `'p2c'`. */
  balancer?: Balancer | BalancerName;
  /** Applied to every pick, before the per-pick filters of `select(ctx, { filters })`. Default none. */
  filters?: readonly NodeFilter[];
}

/** A {@link Selector} that also shows its current nodes and takes unreachable ones out of rotation. */
export interface NodeSelector extends Selector, NodeHealth {
  readonly balancer: Balancer;
  /** The nodes applied last (empty before the first `apply`). */
  nodes(): readonly Node[];
}

interface Rebindable extends WeightedNode {
  rebind(node: Node): void;
}

const canRebind = (n: WeightedNode): n is Rebindable =>
  typeof (n as Partial<Rebindable>).rebind === 'function';

interface NodeSet {
  readonly nodes: readonly Node[];
  readonly weighted: readonly WeightedNode[];
  readonly byNode: ReadonlyMap<Node, WeightedNode>;
  readonly byKey: ReadonlyMap<string, WeightedNode>;
  /**
   * `weighted` without the nodes marked down, or `weighted` itself when none is: the list picks
   * run on. Rebuilt only when a node goes down or up, so a pick allocates nothing.
   */
  readonly up: readonly WeightedNode[];
}

const EMPTY: NodeSet = { nodes: [], weighted: [], byNode: new Map(), byKey: new Map(), up: [] };

function resolveBalancer(balancer: SelectorOptions['balancer']): Balancer {
  if (balancer === undefined || balancer === 'p2c') return p2cBalancer();
  if (balancer === 'wrr') return wrrBalancer();
  if (balancer === 'random') return randomBalancer();
  if (typeof balancer === 'object' && balancer !== null && typeof balancer.pick === 'function')
    return balancer;
  throw new TypeError(
    `unknown balancer ${JSON.stringify(balancer)}: want 'p2c', 'wrr', 'random' or a Balancer`,
  );
}

/**
 * Makes a selector (Go Kratos' `selector.Default`): `apply` swaps the whole node set at once,
 * keeping the statistics of nodes whose scheme and address are unchanged; `select` runs the
 * filters, then the balancer. No candidate left: a 503 `no_available_node` KratosError.
 *
 * Nodes marked down (`markDown`, by the clients when a connection is refused or lost) are left out
 * of every pick until `markUp`; when every candidate is down the pick falls back to all of them
 * (panic mode), so a call still goes somewhere and finds a node that came back.
 */
export function createSelector(options: SelectorOptions = {}): NodeSelector {
  const balancer = resolveBalancer(options.balancer);
  const build: (node: Node) => WeightedNode = isNodeBalancer(balancer)
    ? (node) => balancer.createWeightedNode(node)
    : (node) => new DirectNode(node);
  const globalFilters = options.filters ?? [];
  let set = EMPTY;
  /** Weighted nodes of the current set marked down; kept across `apply` for nodes that stay. */
  let down = new Set<WeightedNode>();

  const upList = (weighted: readonly WeightedNode[]): readonly WeightedNode[] =>
    down.size === 0 ? weighted : weighted.filter((w) => !down.has(w));
  const entryOf = (node: Node): WeightedNode | undefined =>
    set.byNode.get(node) ?? set.byKey.get(nodeKey(node));
  /** The candidates not down, or all of them when every one is (panic mode). */
  const healthy = (list: readonly WeightedNode[]): readonly WeightedNode[] => {
    if (down.size === 0) return list;
    let out: WeightedNode[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (down.has(w)) {
        out ??= list.slice(0, i);
      } else if (out) out.push(w);
    }
    return out === undefined ? list : out.length > 0 ? out : list;
  };

  const candidates = (ctx: Context, filters: readonly NodeFilter[], current: NodeSet) => {
    let nodes = current.nodes;
    for (const filter of filters) {
      nodes = filter(ctx, nodes);
      if (nodes.length === 0) return [];
    }
    if (nodes === current.nodes) return current.weighted;
    const out: WeightedNode[] = [];
    for (const n of nodes) {
      const w = current.byNode.get(n) ?? current.byKey.get(nodeKey(n));
      if (w) out.push(w);
    }
    return out;
  };

  return {
    balancer,
    apply(nodes) {
      const previous = set.byKey;
      const byKey = new Map<string, WeightedNode>();
      const byNode = new Map<Node, WeightedNode>();
      const kept: Node[] = [];
      const weighted: WeightedNode[] = [];
      for (const node of nodes) {
        const key = nodeKey(node);
        if (byKey.has(key)) continue;
        let w = previous.get(key);
        if (w && w.node !== node) {
          if (canRebind(w)) w.rebind(node);
          else w = undefined;
        }
        w ??= build(node);
        byKey.set(key, w);
        byNode.set(node, w);
        kept.push(node);
        weighted.push(w);
      }
      const stillDown = new Set<WeightedNode>();
      for (const w of down) if (byKey.get(nodeKey(w.node)) === w) stillDown.add(w);
      down = stillDown;
      set = { nodes: kept, weighted, byNode, byKey, up: upList(weighted) };
    },
    select(ctx, selectOptions?: SelectOptions): { node: Node; done: DoneFunc } {
      const current = set;
      const extra = selectOptions?.filters;
      let list = current.up.length > 0 ? current.up : current.weighted;
      if (globalFilters.length > 0 || (extra && extra.length > 0)) {
        const filters = extra && extra.length > 0 ? [...globalFilters, ...extra] : globalFilters;
        list = healthy(candidates(ctx, filters, current));
      }
      if (list.length === 0) throw noAvailableNode();
      const picked = balancer.pick(ctx, list);
      return { node: picked.node.node, done: picked.done };
    },
    nodes: () => set.nodes,
    markDown(node) {
      const w = entryOf(node);
      if (w === undefined || down.has(w)) return false;
      down.add(w);
      set = { ...set, up: upList(set.weighted) };
      return true;
    },
    markUp(node) {
      const w = entryOf(node);
      if (w === undefined || !down.delete(w)) return false;
      set = { ...set, up: upList(set.weighted) };
      return true;
    },
    isDown(node) {
      if (down.size === 0) return false;
      const w = entryOf(node);
      return w !== undefined && down.has(w);
    },
  };
}
