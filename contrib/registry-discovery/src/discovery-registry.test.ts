import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  checkRegistryOutage,
  describeRegistryContract,
  nextMatching,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscoveryRegistry, INSTANCE_ID_KEY, instanceFromDiscovery, registerParams } from './index.ts';

const goQuery = readFileSync(new URL('./testdata/go-register-query.bin', import.meta.url), 'utf8');
const goFetch = readFileSync(new URL('./testdata/go-fetch.json', import.meta.url), 'utf8');

let server: StartedServer;
let node: string;
let cfg: { region: string; zone: string; env: string };
beforeAll(async () => {
  server = await startServer('discovery');
  node = new URL(server.endpoints.http!).host;
  cfg = { region: server.endpoints.region!, zone: server.endpoints.zone!, env: server.endpoints.env! };
});
afterAll(async () => {
  await server?.stop();
});

// Discovery keys instances by appid + hostname: each contract instance gets its own hostname.
// Discovered metadata carries region/zone/env/hostname/lastTs and the id key, as Go's reader adds them.
describeRegistryContract(
  'discovery',
  () =>
    createDiscoveryRegistry({
      nodes: [node],
      ...cfg,
      host: (i) => i.id,
      resyncInterval: 500,
      // Renew often: the node forgets instances on restart and a renewal registers them again.
      renewInterval: 2,
      logger: silentLogger,
    }),
  {
    sharedWatch: true,
    openWatches: (r) => r.activeWatches,
    metadata: 'superset',
    timeoutMs: 5000,
    restart: async () => {
      await server.restart();
    },
    onRestartTimings: (t) => console.info('[restart timings] discovery', JSON.stringify(t)),
  },
);

describe('discovery registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('sends the register parameters Go Kratos sends', () => {
    const p = registerParams(instance, { region: 'sh', zone: 'sh001', env: 'dev', hostname: 'go-host' });
    expect(p.toString()).toBe(goQuery);
    expect(p.get('metadata')).toBe(
      '{"kratos.v2.serviceinstance.id":"go-helloworld-1","region":"sh","weight":"100","zone":"a\\u0026b"}',
    );
  });

  it('reads a Go instance as Go does and skips a broken record with a warning', async () => {
    const { lines: warnings, logger } = recordLogs();
    const data = JSON.parse(goFetch).data.instances.sh001;
    expect(instanceFromDiscovery(data[0])).toEqual({
      ...instance,
      metadata: {
        region: 'sh',
        zone: 'a&b',
        lastTs: '1795527729535710500',
        env: 'dev',
        hostname: 'go-host',
        weight: '100',
        [INSTANCE_ID_KEY]: 'go-helloworld-1',
      },
    });
    expect(() => instanceFromDiscovery(data[1])).toThrow(/addrs/);
    // Through a node: a fetch answer with the broken record, served by a fetch of our own.
    const registry = createDiscoveryRegistry({
      nodes: ['node.invalid:1'],
      region: 'sh',
      zone: 'sh001',
      env: 'dev',
      fetch: async () => new Response(goFetch),
      logger,
    });
    const got = await registry.getService('helloworld');
    expect(got.map((i) => i.id)).toEqual(['go-helloworld-1']);
    // The nanosecond timestamp survives exactly (it is above 2^53).
    expect(got[0]!.metadata.lastTs).toBe('1795527729535710531');
    expect(warnings.some((w) => w.includes('not an instance'))).toBe(true);
    await registry.close();
  });

  it('registers what Go registers, as the node stores it', async () => {
    const registry = createDiscoveryRegistry({
      nodes: [node],
      ...cfg,
      host: 'go-host',
      resyncInterval: 500,
      logger: silentLogger,
    });
    const name = uniqueName('helloworld');
    try {
      await registry.register({ ...instance, name });
      const res = (await (
        await fetch(`http://${node}/discovery/fetch?appid=${name}&env=${cfg.env}&status=1`)
      ).json()) as {
        data: { instances: Record<string, Array<Record<string, unknown>>> };
      };
      expect(res.data.instances[cfg.zone]![0]).toMatchObject({
        appid: name,
        hostname: 'go-host',
        addrs: instance.endpoints,
        version: 'v1.0.0',
        status: 1,
        metadata: { ...instance.metadata, [INSTANCE_ID_KEY]: 'go-helloworld-1' },
      });
      const w = await registry.watch(name);
      const first = await nextMatching(w, (s) => s.length === 1, 5000);
      expect(first[0]).toMatchObject({ id: 'go-helloworld-1', name, endpoints: instance.endpoints });
      await registry.deregister({ ...instance, name });
      await nextMatching(w, (s) => s.length === 0, 10_000);
      await w.stop();
    } finally {
      await registry.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createDiscoveryRegistry({ nodes: [], region: 'sh', zone: 'z', env: 'dev' })).toThrow(
      /invalid discovery config/,
    );
    expect(() => createDiscoveryRegistry({ nodes: ['a:1'], region: '', zone: 'z', env: 'dev' })).toThrow(
      /region/,
    );
    expect(() =>
      createDiscoveryRegistry({ nodes: ['a:1'], region: 'sh', zone: 'z', env: 'dev', renewInterval: 0 }),
    ).toThrow(/renewInterval/);
  });
});

describe('discovery registry: outage and recovery', () => {
  it('keeps the last good set while the node is down, registers again when it returns empty', async () => {
    const own = await startServer('discovery');
    const ownNode = new URL(own.endpoints.http!).host;
    const ownCfg = { region: own.endpoints.region!, zone: own.endpoints.zone!, env: own.endpoints.env! };
    const { lines: warnings, logger } = recordLogs(['warn', 'error']);
    const registry = createDiscoveryRegistry({
      nodes: [ownNode],
      ...ownCfg,
      host: (i) => i.id,
      renewInterval: 1,
      resyncInterval: 300,
      logger,
    });
    try {
      // The node keeps instances in memory: it comes back empty (and says so), the next renewal of
      // `a` is answered -404 and `a` is registered again (the check's `b` is registered afresh).
      await checkRegistryOutage({
        server: own,
        registrar: registry,
        discovery: registry,
        restartsEmpty: true,
        // The watch has noticed the outage (and keeps serving the last good set: the check
        // asserts no empty set is read on the way, unless the node itself reports one).
        whileDown: () =>
          waitFor(() => warnings.some((l) => l.includes('discovery unreachable')), { timeout: 15_000 }),
      });
      expect(warnings.some((l) => l.includes('registering again'))).toBe(true);
    } finally {
      await registry.close();
      await own.stop();
    }
  }, 90_000);
});
