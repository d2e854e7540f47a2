import { createContext, KratosError, type ServiceInstance } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { isNoAvailableNode } from './errors.ts';
import { metadataFilter, versionFilter } from './filters.ts';
import { createNode, nodesFromInstances } from './node.ts';
import { p2cBalancer } from './p2c.ts';
import { createSelector } from './selector.ts';

const ctx = createContext({ kind: 'http', side: 'client', operation: '/test.v1.Svc/Call' });

function instance(
  id: string,
  version: string,
  metadata: Record<string, string>,
  endpoints: string[],
): ServiceInstance {
  return { id, name: 'svc', version, metadata, endpoints };
}

const instances = [
  instance('1', 'v1', { region: 'eu', weight: '10' }, [
    'http://10.0.0.1:8000?isSecure=false',
    'grpc://10.0.0.1:9000',
  ]),
  instance('2', 'v2', { region: 'us' }, ['grpc://10.0.0.2:9000?isSecure=false']),
  instance('3', 'v2', { region: 'eu' }, [
    'http://10.0.0.3:8000?isSecure=true',
    'grpc://10.0.0.3:9000?isSecure=true',
  ]),
];

describe('nodesFromInstances', () => {
  it('makes one node per instance with an endpoint of the scheme', () => {
    const http = nodesFromInstances(instances, 'http');
    expect(http.map((n) => n.address)).toEqual(['10.0.0.1:8000', '10.0.0.3:8000']);
    const grpc = nodesFromInstances(instances, 'grpc');
    expect(grpc.map((n) => n.address)).toEqual(['10.0.0.1:9000', '10.0.0.2:9000', '10.0.0.3:9000']);
    expect(grpc[0]).toMatchObject({
      scheme: 'grpc',
      serviceName: 'svc',
      version: 'v1',
      initialWeight: 10,
      metadata: { region: 'eu', weight: '10' },
    });
    expect(grpc[0]!.instance).toBe(instances[0]);
    expect(grpc[1]!.initialWeight).toBeUndefined();
  });

  it('filters by isSecure when asked', () => {
    expect(nodesFromInstances(instances, 'grpc', true).map((n) => n.address)).toEqual(['10.0.0.3:9000']);
    expect(nodesFromInstances(instances, 'grpc', false).map((n) => n.address)).toEqual([
      '10.0.0.1:9000',
      '10.0.0.2:9000',
    ]);
  });

  it('takes grpcs:// and https:// endpoints as TLS endpoints of grpc and http', () => {
    const mixed = [
      instance('go', 'v3', {}, ['https://10.0.0.4:8443', 'grpcs://10.0.0.4:9443']),
      instance('ts', 'v3', {}, [
        'https://10.0.0.5:8443?isSecure=true',
        'grpcs://10.0.0.5:9443?isSecure=true',
      ]),
      instance('old', 'v3', {}, ['http://10.0.0.6:8443?isSecure=true', 'grpc://10.0.0.6:9443?isSecure=true']),
      instance('plain', 'v3', {}, ['http://10.0.0.7:8000', 'grpc://10.0.0.7:9000?isSecure=false']),
    ];
    const addresses = (scheme: string, secure?: boolean) =>
      nodesFromInstances(mixed, scheme, secure).map((n) => n.address);
    expect(addresses('grpc', true)).toEqual(['10.0.0.4:9443', '10.0.0.5:9443', '10.0.0.6:9443']);
    expect(addresses('http', true)).toEqual(['10.0.0.4:8443', '10.0.0.5:8443', '10.0.0.6:8443']);
    expect(addresses('grpc', false)).toEqual(['10.0.0.7:9000']);
    expect(addresses('http', false)).toEqual(['10.0.0.7:8000']);
    expect(addresses('grpc')).toEqual(['10.0.0.4:9443', '10.0.0.5:9443', '10.0.0.6:9443', '10.0.0.7:9000']);
    expect(nodesFromInstances(mixed, 'grpc', true).every((n) => n.scheme === 'grpc')).toBe(true);
  });

  it('skips duplicate addresses, bad endpoints and non-integer weights', () => {
    const list = [
      instance('a', 'v1', { weight: 'heavy' }, ['not a url', 'grpc://10.0.0.9:9000']),
      instance('b', 'v1', {}, ['grpc://10.0.0.9:9000']),
    ];
    const nodes = nodesFromInstances(list, 'grpc');
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.initialWeight).toBeUndefined();
  });
});

describe('createSelector', () => {
  it('throws a 503 no_available_node before any node is applied', () => {
    const s = createSelector();
    let caught: unknown;
    try {
      s.select(ctx);
    } catch (e) {
      caught = e;
    }
    expect(KratosError.is(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 503, reason: 'no_available_node' });
    expect(isNoAvailableNode(caught)).toBe(true);
  });

  it('filters by version and metadata, per selector and per pick', () => {
    const s = createSelector({ balancer: 'random', filters: [versionFilter('v2')] });
    s.apply(nodesFromInstances(instances, 'grpc'));
    for (let i = 0; i < 20; i++) expect(s.select(ctx).node.version).toBe('v2');
    for (let i = 0; i < 20; i++) {
      const { node } = s.select(ctx, { filters: [metadataFilter({ region: 'eu' })] });
      expect(node.address).toBe('10.0.0.3:9000');
    }
    expect(() => s.select(ctx, { filters: [metadataFilter({ region: 'ap' })] })).toThrow(
      expect.objectContaining({ code: 503, reason: 'no_available_node' }),
    );
  });

  it('metadataFilter accepts "*" for presence and arrays for alternatives', () => {
    const nodes = nodesFromInstances(instances, 'grpc');
    expect(metadataFilter({ weight: '*' })(ctx, nodes).map((n) => n.address)).toEqual(['10.0.0.1:9000']);
    expect(metadataFilter({ region: ['us', 'eu'] })(ctx, nodes)).toHaveLength(3);
    expect(metadataFilter({})(ctx, nodes)).toHaveLength(3);
  });

  it('balances with wrr by weight', () => {
    const s = createSelector({ balancer: 'wrr' });
    s.apply([
      createNode({ scheme: 'http', address: 'a:1', metadata: { weight: '2' } }),
      createNode({ scheme: 'http', address: 'b:1', metadata: { weight: '1' } }),
    ]);
    const seq = Array.from({ length: 6 }, () => s.select(ctx).node.address);
    expect(seq).toEqual(['a:1', 'b:1', 'a:1', 'a:1', 'b:1', 'a:1']);
  });

  it('keeps the statistics of nodes that stay across apply()', () => {
    const clock = { t: 0 };
    const s = createSelector({ balancer: p2cBalancer({ now: () => clock.t }) });
    const fast = createNode({ scheme: 'grpc', address: 'fast:1' });
    const slow = createNode({ scheme: 'grpc', address: 'slow:1' });
    s.apply([fast, slow]);
    for (let i = 0; i < 30; i++) {
      const { node, done } = s.select(ctx);
      clock.t += node.address === 'fast:1' ? 10 : 200;
      done({});
    }
    // A new update brings fresh objects for the same addresses plus a new node.
    s.apply([
      createNode({ scheme: 'grpc', address: 'slow:1', version: 'v9' }),
      createNode({ scheme: 'grpc', address: 'fast:1', version: 'v9' }),
    ]);
    expect(s.nodes().map((n) => n.version)).toEqual(['v9', 'v9']);
    let fastPicks = 0;
    for (let i = 0; i < 20; i++) {
      const { node, done } = s.select(ctx);
      if (node.address === 'fast:1') fastPicks++;
      expect(node.version).toBe('v9');
      clock.t += node.address === 'fast:1' ? 10 : 200;
      done({});
    }
    // Fresh statistics would have to probe both nodes first; kept ones go straight to the fast one.
    expect(fastPicks).toBe(20);
  });

  it('applies an empty set as empty and drops duplicate addresses', () => {
    const s = createSelector();
    const a = createNode({ scheme: 'grpc', address: 'a:1' });
    s.apply([a, createNode({ scheme: 'grpc', address: 'a:1' })]);
    expect(s.nodes()).toEqual([a]);
    s.apply([]);
    expect(() => s.select(ctx)).toThrow(expect.objectContaining({ reason: 'no_available_node' }));
  });

  it('rejects an unknown balancer name', () => {
    expect(() => createSelector({ balancer: 'round-robin' as 'wrr' })).toThrow(
      /unknown balancer "round-robin"/,
    );
  });

  it('accepts a plain core Balancer', () => {
    const s = createSelector({
      balancer: { pick: (_ctx, nodes) => ({ node: nodes.at(-1)!, done: nodes.at(-1)!.pick() }) },
    });
    s.apply([createNode({ scheme: 'http', address: 'a:1' }), createNode({ scheme: 'http', address: 'b:1' })]);
    expect(s.select(ctx).node.address).toBe('b:1');
  });
});
