import { createContext, type Node } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { isNoAvailableNode } from './errors.ts';
import { createNodeProber, hasNodeHealth, type NodeHealth } from './health.ts';
import { createNode } from './node.ts';
import { p2cBalancer } from './p2c.ts';
import { createSelector } from './selector.ts';

const ctx = createContext({ kind: 'grpc', side: 'client', operation: '/t.v1.S/Call' });
const node = (address: string, version = 'v1') => createNode({ scheme: 'grpc', address, version });

/**
 * A p2c selector on a clock that stands still: every pick's latency is 0, so which nodes picks
 * reach does not depend on how the host scheduled the test (a stall between a pick and its done
 * would make one node look slow and keep it out of the next hundreds of picks).
 */
const steadyP2c = () => createSelector({ balancer: p2cBalancer({ now: () => 0 }) });

function picks(selector: ReturnType<typeof createSelector>, n: number): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const { node, done } = selector.select(ctx);
    done({});
    seen.add(node.address);
  }
  return seen;
}

/** Resolves once `fn` is true, checking after every macrotask (at most `tries` times). */
async function until(fn: () => boolean, tries = 2000): Promise<void> {
  for (let i = 0; i < tries && !fn(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!fn()) throw new Error('condition not met');
}

describe('selector node health', () => {
  for (const balancer of ['p2c', 'wrr', 'random'] as const) {
    it(`${balancer}: a node marked down leaves every pick until marked up`, () => {
      const selector = balancer === 'p2c' ? steadyP2c() : createSelector({ balancer });
      const [a, b, c] = [node('10.0.0.1:9000'), node('10.0.0.2:9000'), node('10.0.0.3:9000')];
      selector.apply([a, b, c]);
      expect(hasNodeHealth(selector)).toBe(true);
      expect(selector.markDown(b)).toBe(true);
      expect(selector.markDown(b)).toBe(false);
      expect(selector.isDown(b)).toBe(true);
      expect(picks(selector, 300)).toEqual(new Set(['10.0.0.1:9000', '10.0.0.3:9000']));
      expect(selector.markUp(b)).toBe(true);
      expect(selector.isDown(b)).toBe(false);
      expect(picks(selector, 300)).toEqual(new Set(['10.0.0.1:9000', '10.0.0.2:9000', '10.0.0.3:9000']));
    });
  }

  it('picks among all nodes when every node is down (panic mode) rather than failing', () => {
    const selector = steadyP2c();
    const [a, b] = [node('10.0.0.1:9000'), node('10.0.0.2:9000')];
    selector.apply([a, b]);
    selector.markDown(a);
    selector.markDown(b);
    expect(picks(selector, 200)).toEqual(new Set(['10.0.0.1:9000', '10.0.0.2:9000']));
    // With filters too: the filtered candidates, down or not.
    expect(picks(selector, 50)).toEqual(new Set(['10.0.0.1:9000', '10.0.0.2:9000']));
  });

  it('leaves down nodes out of filtered picks, falling back to the filtered ones when all are down', () => {
    const selector = createSelector({ balancer: 'random' });
    const [a, b, c] = [node('10.0.0.1:9000', 'v1'), node('10.0.0.2:9000', 'v1'), node('10.0.0.3:9000', 'v2')];
    selector.apply([a, b, c]);
    const v1 = [(_: unknown, nodes: readonly Node[]) => nodes.filter((n) => n.version === 'v1')];
    selector.markDown(a);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(selector.select(ctx, { filters: v1 }).node.address);
    expect(seen).toEqual(new Set(['10.0.0.2:9000']));
    selector.markDown(b);
    seen.clear();
    for (let i = 0; i < 100; i++) seen.add(selector.select(ctx, { filters: v1 }).node.address);
    expect(seen).toEqual(new Set(['10.0.0.1:9000', '10.0.0.2:9000']));
    // No candidate at all is still the 503.
    expect(() => selector.select(ctx, { filters: [() => []] })).toThrow(
      expect.objectContaining({ code: 503 }),
    );
  });

  it('keeps the down mark across apply() for nodes that stay, and forgets nodes that leave', () => {
    const selector = steadyP2c();
    const [a, b] = [node('10.0.0.1:9000'), node('10.0.0.2:9000')];
    selector.apply([a, b]);
    selector.markDown(a);
    // A refreshed copy of the same address (a discovery update) is still down.
    const a2 = node('10.0.0.1:9000');
    selector.apply([a2, b]);
    expect(selector.isDown(a2)).toBe(true);
    expect(picks(selector, 100)).toEqual(new Set(['10.0.0.2:9000']));
    // Removed, then back (deregistered and registered again): a fresh node, up.
    selector.apply([b]);
    expect(selector.isDown(a2)).toBe(false);
    selector.apply([a2, b]);
    expect(selector.isDown(a2)).toBe(false);
    expect(picks(selector, 200)).toEqual(new Set(['10.0.0.1:9000', '10.0.0.2:9000']));
  });

  it('ignores nodes it does not hold', () => {
    const selector = createSelector();
    selector.apply([node('10.0.0.1:9000')]);
    expect(selector.markDown(node('10.9.9.9:1'))).toBe(false);
    expect(selector.markUp(node('10.9.9.9:1'))).toBe(false);
    expect(selector.isDown(node('10.9.9.9:1'))).toBe(false);
    expect(() => createSelector().select(ctx)).toThrow(expect.objectContaining({ code: 503 }));
    try {
      createSelector().select(ctx);
    } catch (e) {
      expect(isNoAvailableNode(e)).toBe(true);
    }
  });
});

/** A probe the test answers by hand. */
function manualProbe() {
  const calls: Array<{ node: Node; answer: (ok: boolean) => void }> = [];
  return {
    calls,
    probe: (n: Node) => new Promise<boolean>((resolve) => calls.push({ node: n, answer: resolve })),
  };
}

/** Records what the prober told the selector. */
function recording(selector: ReturnType<typeof createSelector>) {
  const log: string[] = [];
  const health: NodeHealth = {
    markDown(n) {
      log.push(`down ${n.address}`);
      return selector.markDown(n);
    },
    markUp(n) {
      log.push(`up ${n.address}`);
      return selector.markUp(n);
    },
    isDown: (n) => selector.isDown(n),
  };
  return { log, health };
}

describe('createNodeProber', () => {
  it('ejects a node at once and marks it up after the first probe that succeeds, probing with backoff', async () => {
    const selector = createSelector();
    const [a, b] = [node('10.0.0.1:9000'), node('10.0.0.2:9000')];
    selector.apply([a, b]);
    const { calls, probe } = manualProbe();
    const { log, health } = recording(selector);
    const prober = createNodeProber({ health, probe, backoff: { initialMs: 1, maxMs: 4 } });
    prober.eject(a);
    expect(selector.isDown(a)).toBe(true);
    prober.eject(a); // a second report changes nothing
    await until(() => calls.length === 1);
    calls[0]!.answer(false);
    await until(() => calls.length === 2);
    expect(selector.isDown(a)).toBe(true);
    calls[1]!.answer(false);
    await until(() => calls.length === 3);
    calls[2]!.answer(true);
    await until(() => !selector.isDown(a));
    expect(log).toEqual(['down 10.0.0.1:9000', 'down 10.0.0.1:9000', 'up 10.0.0.1:9000']);
    expect(calls.every((c) => c.node === a)).toBe(true);
    prober.close();
  });

  it('check: a lost connection is probed at once; the node is ejected only when the probe fails', async () => {
    const selector = createSelector();
    const [a, b] = [node('10.0.0.1:9000'), node('10.0.0.2:9000')];
    selector.apply([a, b]);
    const { calls, probe } = manualProbe();
    const { log, health } = recording(selector);
    const prober = createNodeProber({ health, probe, backoff: { initialMs: 1 } });
    prober.check(a);
    await until(() => calls.length === 1);
    expect(selector.isDown(a)).toBe(false);
    calls[0]!.answer(true);
    await until(() => log.length === 1);
    expect(log).toEqual(['up 10.0.0.1:9000']); // a no-op: it never went down
    prober.check(b);
    await until(() => calls.length === 2);
    calls[1]!.answer(false);
    await until(() => selector.isDown(b));
    await until(() => calls.length === 3); // and it is probed again
    calls[2]!.answer(true);
    await until(() => !selector.isDown(b));
    prober.close();
  });

  it('does not eject a node the selector does not hold', () => {
    const selector = createSelector();
    selector.apply([node('10.0.0.2:9000')]);
    const { probe } = manualProbe();
    const prober = createNodeProber({ health: selector, probe, backoff: { initialMs: 1 } });
    const gone = node('10.0.0.1:9000');
    prober.eject(gone);
    expect(selector.isDown(gone)).toBe(false);
    prober.close();
  });
});
