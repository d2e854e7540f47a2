import { createContext, KratosError, type Node } from '@kratos/core';
import type { WeightedNode } from '@kratos/core/adapter';
import { describe, expect, it } from 'vitest';
import type { EwmaNode } from './ewma-node.ts';
import { isNodeFailure } from './failure.ts';
import { createNode } from './node.ts';
import { p2cBalancer } from './p2c.ts';
import { randomBalancer } from './random.ts';
import { wrrBalancer } from './wrr.ts';

const ctx = createContext({ kind: 'grpc', side: 'client', operation: '/test.v1.Svc/Call' });

function node(address: string, weight?: number): Node {
  return createNode({
    scheme: 'grpc',
    address,
    serviceName: 'svc',
    metadata: weight === undefined ? {} : { weight: String(weight) },
  });
}

function fakeClock() {
  const clock = { t: 1_000, now: () => clock.t };
  return clock;
}

describe('randomBalancer', () => {
  it('spreads picks over every node', () => {
    const b = randomBalancer();
    const nodes = ['a', 'b', 'c', 'd'].map((a) => b.createWeightedNode(node(a)));
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const { node: picked, done } = b.pick(ctx, nodes);
      done({});
      counts.set(picked.node.address, (counts.get(picked.node.address) ?? 0) + 1);
    }
    for (const a of ['a', 'b', 'c', 'd']) {
      expect(counts.get(a)).toBeGreaterThan(700);
      expect(counts.get(a)).toBeLessThan(1300);
    }
  });

  it('throws no_available_node for an empty list', () => {
    expect(() => randomBalancer().pick(ctx, [])).toThrow(
      expect.objectContaining({ code: 503, reason: 'no_available_node' }),
    );
  });
});

describe('wrrBalancer', () => {
  it('follows the nginx smooth sequence for weights 5, 1, 1', () => {
    const b = wrrBalancer();
    const nodes = [node('a', 5), node('b', 1), node('c', 1)].map((n) => b.createWeightedNode(n));
    const seq: string[] = [];
    for (let i = 0; i < 14; i++) seq.push(b.pick(ctx, nodes).node.node.address);
    expect(seq).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('weighs nodes without a weight as 100', () => {
    const b = wrrBalancer();
    const nodes = [node('a'), node('b', 300)].map((n) => b.createWeightedNode(n));
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 400; i++) counts[b.pick(ctx, nodes).node.node.address]!++;
    expect(counts).toEqual({ a: 100, b: 300 });
  });

  it('picks exactly what the per-pick algorithm picks, across updates, fractional weights and fresh lists', () => {
    // The textbook algorithm as the specification: current weights by address, kept across updates.
    const spec = new Map<string, number>();
    const specPick = (list: { address: string; w: number }[]) => {
      let total = 0;
      let best: string | undefined;
      for (const { address, w } of list) {
        total += w;
        const v = (spec.get(address) ?? 0) + w;
        spec.set(address, v);
        if (best === undefined || spec.get(best)! < v) best = address;
      }
      spec.set(best!, spec.get(best!)! - total);
      return best!;
    };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const b = wrrBalancer();
    const made = new Map<string, WeightedNode>();
    const weighted = (address: string, w: number) => {
      let wn = made.get(address);
      if (wn === undefined || wn.weight() !== w) {
        wn = b.createWeightedNode(
          createNode({ scheme: 'grpc', address, serviceName: 'svc', initialWeight: w }),
        );
        // a node re-made with a new weight starts over in both, as a refreshed selector entry would
        spec.delete(address);
        made.set(address, wn);
      }
      return wn;
    };
    const lists = [
      Array.from({ length: 300 }, (_, i) => ({ address: `n${i}`, w: 1 + (i % 5) })),
      Array.from({ length: 40 }, (_, i) => ({ address: `n${i * 3}`, w: 1 + ((i * 3) % 5) })),
      [
        { address: 'a', w: 5 },
        { address: 'b', w: 1 },
        { address: 'c', w: 1 },
      ],
      [
        { address: 'a', w: 0.5 },
        { address: 'b', w: 1.5 },
      ],
      Array.from({ length: 20 }, (_, i) => ({ address: `n${i}`, w: 100 * (1 + rand(7)) })),
      Array.from({ length: 5000 }, (_, i) => ({ address: `m${i}`, w: 1 + rand(3) })),
    ];
    for (let round = 0; round < 12; round++) {
      const list = lists[round % lists.length]!;
      const nodes = list.map((x) => weighted(x.address, x.w));
      const picks = 50 + rand(2000);
      for (let i = 0; i < picks; i++) {
        // every 7th round hands a fresh array per pick, as a selector with filters does
        const arg = round % 7 === 6 ? nodes.slice() : nodes;
        expect(b.pick(ctx, arg).node.node.address).toBe(specPick(list));
      }
    }
  });
});

/** Runs `calls` sequential calls, each lasting `latency(address)` ms on the fake clock. */
function drive(
  b: ReturnType<typeof p2cBalancer>,
  nodes: WeightedNode[],
  clock: { t: number },
  calls: number,
  latency: (address: string) => number,
  error: (address: string) => unknown = () => undefined,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const { node: picked, done } = b.pick(ctx, nodes);
    const a = picked.node.address;
    counts[a] = (counts[a] ?? 0) + 1;
    clock.t += latency(a);
    done({ error: error(a) });
  }
  return counts;
}

describe('p2cBalancer', () => {
  it('prefers the faster node once it has samples', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const nodes = [b.createWeightedNode(node('fast')), b.createWeightedNode(node('slow'))];
    drive(b, nodes, clock, 20, (a) => (a === 'fast' ? 10 : 100));
    const counts = drive(b, nodes, clock, 200, (a) => (a === 'fast' ? 10 : 100));
    expect(counts.fast ?? 0).toBeGreaterThan(190);
  });

  it('prefers the healthier node when latencies are equal', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const nodes = [b.createWeightedNode(node('ok')), b.createWeightedNode(node('broken'))];
    const fail = (a: string) => (a === 'broken' ? new KratosError(503, 'UNAVAILABLE', 'down') : undefined);
    drive(b, nodes, clock, 20, () => 20, fail);
    const counts = drive(b, nodes, clock, 100, () => 20, fail);
    expect(counts.ok ?? 0).toBeGreaterThan(95);
    const broken = nodes[1] as EwmaNode;
    expect(broken.stats().success).toBeLessThan(0.1);
  });

  it('does not count business errors against a node', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const n = b.createWeightedNode(node('a')) as EwmaNode;
    for (let i = 0; i < 10; i++) {
      const done = n.pick();
      clock.t += 10;
      done({ error: new KratosError(404, 'USER_NOT_FOUND', 'no') });
    }
    expect(n.stats().success).toBe(1);
  });

  it('uses a custom failure predicate', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now, isFailure: (e) => KratosError.is(e) && e.code === 500 });
    const n = b.createWeightedNode(node('a')) as EwmaNode;
    const done = n.pick();
    clock.t += 10;
    done({ error: new KratosError(500, '', 'boom') });
    expect(n.stats().success).toBe(0);
  });

  it('force-picks a node left unpicked for 3 s so it gets probed', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const nodes = [b.createWeightedNode(node('fast')), b.createWeightedNode(node('slow'))];
    drive(b, nodes, clock, 50, (a) => (a === 'fast' ? 10 : 100));
    // Stay under the gap: only the fast node is picked.
    expect(drive(b, nodes, clock, 5, () => 10)).toEqual({ fast: 5 });
    clock.t += 3001;
    const probe = b.pick(ctx, nodes);
    expect(probe.node.node.address).toBe('slow');
    probe.done({});
    // The slow node was just probed: back to the fast one.
    expect(b.pick(ctx, nodes).node.node.address).toBe('fast');
  });

  it('counts in-flight calls as load', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const a = b.createWeightedNode(node('a'));
    const c = b.createWeightedNode(node('c'));
    for (const n of [a, c]) {
      const done = n.pick();
      clock.t += 10;
      done({});
    }
    clock.t += 10;
    const before = a.weight();
    const pending = [a.pick(), a.pick(), a.pick()];
    clock.t += 10;
    expect(a.weight()).toBeLessThan(before);
    expect(c.weight()).toBeGreaterThan(a.weight());
    for (const done of pending) done({});
  });

  it('picks the only node of a one-node list', () => {
    const b = p2cBalancer();
    const only = b.createWeightedNode(node('only'));
    expect(b.pick(ctx, [only]).node).toBe(only);
  });

  it('penalises a node with no sample like a 10 s latency', () => {
    const clock = fakeClock();
    const b = p2cBalancer({ now: clock.now });
    const fresh = b.createWeightedNode(node('fresh'));
    const sampled = b.createWeightedNode(node('sampled'));
    const done = sampled.pick();
    clock.t += 9_000;
    done({});
    clock.t += 10;
    expect(sampled.weight()).toBeGreaterThan(fresh.weight());
  });
});

describe('isNodeFailure', () => {
  it('matches deadline, cancellation, unavailability and network errors', () => {
    expect(isNodeFailure(new KratosError(503, '', ''))).toBe(true);
    expect(isNodeFailure(new KratosError(504, '', ''))).toBe(true);
    expect(isNodeFailure(new KratosError(499, '', ''))).toBe(true);
    expect(isNodeFailure(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isNodeFailure(new DOMException('x', 'TimeoutError'))).toBe(true);
    expect(isNodeFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isNodeFailure(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isNodeFailure(Object.assign(new Error('x'), { code: 14, details: 'unavailable' }))).toBe(true);
  });

  it('leaves business errors alone', () => {
    expect(isNodeFailure(new KratosError(404, 'NOT_FOUND', ''))).toBe(false);
    expect(isNodeFailure(new KratosError(500, '', ''))).toBe(false);
    expect(isNodeFailure(new Error('x'))).toBe(false);
    expect(isNodeFailure(undefined)).toBe(false);
  });
});
