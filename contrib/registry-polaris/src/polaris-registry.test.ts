import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  checkRegistryOutage,
  describeRegistryContract,
  mapDiscovery,
  nextMatching,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolarisRegistry, instanceFromPolaris, polarisInstancesOf } from './index.ts';

const goRegister = JSON.parse(readFileSync(new URL('./testdata/go-register.json', import.meta.url), 'utf8'));
const goDiscover = readFileSync(new URL('./testdata/go-discover.json', import.meta.url), 'utf8');

let server: StartedServer;
let address: string;
beforeAll(async () => {
  server = await startServer('polaris');
  address = server.endpoints.http!;
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const discover = async (service: string) => {
  const res = await fetch(`${address}/v1/Discover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 1, service: { name: service, namespace: 'default' } }),
  });
  return (await res.json()) as { code: number; instances: Array<Record<string, unknown>> };
};

// Polaris keeps host and port only: an endpoint comes back as `<kind>://host:port`, exactly as Go
// Kratos reads it, without the `?isSecure=false` the contract registers (absent means false for the
// transports). The contract's view of discovery gets the query put back.
const withQuery = (list: ServiceInstance[]) =>
  list.map((i) => ({
    ...i,
    endpoints: i.endpoints.map((e) => (e.includes('?') ? e : `${e}?isSecure=false`)),
  }));
function contractSubject() {
  const registry = createPolarisRegistry({
    address,
    discoveryKind: 'grpc',
    pollInterval: 200,
    logger: silentLogger,
  });
  return {
    registrar: registry,
    discovery: mapDiscovery(registry, withQuery),
    registry,
    close: () => registry.close(),
  };
}

// Go registers each endpoint as its own Polaris instance in `<name><scheme>` and Polaris gives it its
// own id; `kind` and `version` are added to the metadata; discovery of `<name>` reads `<name>grpc` here.
// Polaris' cache makes a change visible within about a second.
describeRegistryContract('polaris', contractSubject, {
  sharedWatch: true,
  openWatches: (s) => s.registry.activeWatches,
  metadata: 'superset',
  preservesId: false,
  multipleEndpoints: false,
  propagationDelayMs: 1500,
  timeoutMs: 10_000,
  restart: async () => {
    await server.restart();
  },
  onRestartTimings: (t) => console.info('[restart timings] polaris', JSON.stringify(t)),
});

describe('polaris registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { region: 'sh', weight: '100', zone: 'a&b' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('builds the instances Go Kratos registers: one per endpoint in <name><scheme>', () => {
    expect(
      polarisInstancesOf(instance, {
        namespace: 'default',
        weight: 100,
        priority: 0,
        healthy: true,
        isolate: false,
        ttl: 5,
      }),
    ).toEqual(goRegister);
  });

  it('reads a Go instance as Go does, skips a foreign record with a warning and drops unhealthy ones', async () => {
    const first = JSON.parse(goDiscover).instances[0];
    expect(instanceFromPolaris(first)).toEqual({
      id: '5fb8e51340fcf1b430264ed7ed9970eecc1457f3',
      name: 'helloworldgrpc',
      version: 'v1.0.0',
      metadata: { kind: 'grpc', region: 'sh', version: 'v1.0.0', weight: '100', zone: 'a&b' },
      endpoints: ['grpc://10.0.0.5:9000'],
    });
    expect(() => instanceFromPolaris(JSON.parse(goDiscover).instances[1])).toThrow(/kind/);
    expect(instanceFromPolaris({ host: '::1', port: 9000, metadata: { kind: 'grpc' } }).endpoints).toEqual([
      'grpc://[::1]:9000',
    ]);
    const { lines: warnings, logger } = recordLogs();
    const registry = createPolarisRegistry({
      address: 'http://polaris.invalid:1',
      fetch: async () => new Response(goDiscover),
      logger,
    });
    const got = await registry.getService('helloworldgrpc');
    expect(got.map((i) => i.endpoints[0])).toEqual(['grpc://10.0.0.5:9000']);
    expect(warnings.some((w) => w.includes('not a kratos instance') && w.includes('kind'))).toBe(true);
    await registry.close();
  });

  it('registers what Go registers, as Polaris stores it, and deregisters it', async () => {
    const registry = createPolarisRegistry({ address, ttl: 5, logger: silentLogger });
    const name = uniqueName('helloworld');
    try {
      await registry.register({ ...instance, name });
      const stored = await waitFor(
        async () => {
          const r = await discover(`${name}grpc`);
          expect(r.instances).toHaveLength(1);
          return r.instances[0]!;
        },
        { timeout: 10_000 },
      );
      expect(stored).toMatchObject({
        service: `${name}grpc`,
        namespace: 'default',
        host: '10.0.0.5',
        port: 9000,
        version: 'v1.0.0',
        weight: 100,
        healthy: true,
        isolate: false,
        enableHealthCheck: true,
        healthCheck: { type: 'HEARTBEAT', heartbeat: { ttl: 5 } },
        metadata: { ...instance.metadata, kind: 'grpc', version: 'v1.0.0' },
      });
      expect((await discover(`${name}http`)).instances).toHaveLength(1);
      const w = await registry.watch(`${name}grpc`);
      const seen = await nextMatching(w, (s) => s.length === 1, 10_000);
      expect(seen[0]).toMatchObject({ name: `${name}grpc`, endpoints: ['grpc://10.0.0.5:9000'] });
      await registry.deregister({ ...instance, name });
      await nextMatching(w, (s) => s.length === 0, 10_000);
      await waitFor(
        async () => {
          expect((await discover(`${name}http`)).instances).toHaveLength(0);
          return true;
        },
        { timeout: 10_000 },
      );
      await w.stop();
    } finally {
      await registry.close();
    }
  });

  it('rejects invalid options and instances with clear errors', async () => {
    expect(() => createPolarisRegistry({ address: 'not a url' })).toThrow(/invalid polaris address/);
    expect(() => createPolarisRegistry({ address, pollInterval: 0 })).toThrow(/pollInterval/);
    expect(() => createPolarisRegistry({ address, weight: 20_000 })).toThrow(/weight/);
    const registry = createPolarisRegistry({ address, logger: silentLogger });
    await expect(registry.register({ ...instance, endpoints: ['grpc://no-port'] })).rejects.toThrow(/port/);
    await expect(registry.register({ ...instance, endpoints: [] })).rejects.toThrow(/endpoint/);
    await registry.close();
  });
});

describe('polaris registry: heartbeat', () => {
  it('keeps a heartbeating instance healthy while one without heartbeats turns unhealthy', async () => {
    const beating = createPolarisRegistry({ address, ttl: 2, logger: silentLogger });
    const silent = createPolarisRegistry({ address, ttl: 2, heartbeat: false, logger: silentLogger });
    const name = uniqueName('beat');
    const at = (port: number): ServiceInstance => ({
      id: `${name}-${port}`,
      name,
      version: 'v1',
      metadata: {},
      endpoints: [`grpc://127.0.0.1:${port}`],
    });
    try {
      await beating.register(at(31001));
      await silent.register(at(31002));
      const healthOf = async () =>
        Object.fromEntries((await discover(`${name}grpc`)).instances.map((i) => [i.port, i.healthy]));
      await waitFor(
        async () => {
          expect(await healthOf()).toEqual({ 31001: true, 31002: false });
          return true;
        },
        { timeout: 30_000, interval: 250 },
      );
      // Discovery gives only the healthy one, as Go's reader does.
      expect((await beating.getService(`${name}grpc`)).map((i) => i.endpoints[0])).toEqual([
        'grpc://127.0.0.1:31001',
      ]);
    } finally {
      await beating.close();
      await silent.close();
    }
  }, 60_000);
});

describe('polaris registry: server restart', () => {
  it('watchers keep the last set while Polaris is down and converge after it restarts', async () => {
    const registry = createPolarisRegistry({ address, ttl: 5, pollInterval: 200, logger: silentLogger });
    try {
      await checkRegistryOutage({
        server,
        registrar: registry,
        discovery: registry,
        discoveredName: (name) => `${name}grpc`,
        downError: /polaris/,
        convergeTimeoutMs: 20_000,
      });
    } finally {
      await registry.close();
    }
  }, 120_000);
});
