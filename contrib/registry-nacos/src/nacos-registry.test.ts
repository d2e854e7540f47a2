import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  describeRegistryContract,
  mapDiscovery,
  nextMatching,
  type StartedServer,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNacosRegistry, instanceFromHost, nacosInstancesOf } from './index.ts';

const goInstances = JSON.parse(
  readFileSync(new URL('./testdata/go-instances.json', import.meta.url), 'utf8'),
);
const goHost = JSON.parse(readFileSync(new URL('./testdata/go-host.json', import.meta.url), 'utf8'));
const quietLogger = { log() {} };

let nacos: StartedServer;
let serverList: string;
let base: string;
beforeAll(async () => {
  nacos = await startServer('nacos');
  serverList = nacos.endpoints.http!;
  base = nacos.endpoints.url!;
}, 240_000);
afterAll(async () => {
  await nacos?.stop();
});

const logged = () => {
  const lines: string[] = [];
  const logger = {
    log: (level: string, ...kv: unknown[]) => {
      if (level !== 'debug') lines.push(`${level} ${kv.join(' ')}`);
    },
  };
  return { lines, logger };
};

// Nacos keeps ip and port only: an endpoint comes back as `<kind>://ip:port`, exactly as Go Kratos
// reads it, without the `?isSecure=false` query the contract registers (absent means false for the
// transports). The contract has no flag for that, so its view of discovery gets the query put back.
const withQuery = (list: ServiceInstance[]) =>
  list.map((i) => ({
    ...i,
    endpoints: i.endpoints.map((e) => (e.includes('?') ? e : `${e}?isSecure=false`)),
  }));
function contractSubject() {
  const registry = createNacosRegistry({
    connection: { serverList },
    discoveryKind: 'grpc',
    logger: quietLogger,
  });
  const discovery = mapDiscovery(registry, withQuery);
  return { registrar: registry, discovery, registry, close: () => registry.close() };
}

// Nacos splits an instance per endpoint scheme into `<name>.<scheme>` and reports its own instance ids
// and adds `kind`/`version` metadata; discovery of `<name>` looks at `<name>.grpc` here.
describeRegistryContract('nacos', contractSubject, {
  sharedWatch: true,
  openWatches: (s) => s.registry.activeWatches,
  metadata: 'superset',
  preservesId: false,
  multipleEndpoints: false,
  propagationDelayMs: 2000,
  timeoutMs: 20_000,
  // Nacos keeps ephemeral instances in memory: the client's heartbeat registers them again.
  restart: async () => {
    await nacos.restart();
  },
  restartTimeoutMs: 120_000,
  onRestartTimings: (t) => console.info('[restart timings] nacos', JSON.stringify(t)),
});

describe('nacos registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('registers the instances Go Kratos registers: one per endpoint in <name>.<scheme>', () => {
    expect(nacosInstancesOf(instance, { weight: 100, cluster: 'DEFAULT', group: 'DEFAULT_GROUP' })).toEqual(
      goInstances,
    );
    // A weight that does not parse falls back to the option, as Go.
    const [r] = nacosInstancesOf(
      { ...instance, metadata: { weight: 'heavy' }, endpoints: ['grpc://[::1]:9000'] },
      { weight: 7, cluster: 'c', group: 'g' },
    );
    expect(r).toMatchObject({ weight: 7, ip: '::1', port: 9000, serviceName: 'helloworld.grpc' });
    expect(() =>
      nacosInstancesOf({ ...instance, endpoints: ['nope'] }, { weight: 1, cluster: 'c', group: 'g' }),
    ).toThrow(/not a URL/);
  });

  it('reads an instance as Go Kratos does (id, kind endpoint, version, ceil weight)', () => {
    expect(instanceFromHost(goHost, 'helloworld.grpc', 'grpc')).toEqual({
      id: '10.0.0.5#9000#DEFAULT#DEFAULT_GROUP@@helloworld.grpc',
      name: 'helloworld.grpc',
      version: 'v1.0.0',
      metadata: { kind: 'grpc', region: 'sh', version: 'v1.0.0', weight: '100', zone: 'a&b' },
      endpoints: ['grpc://10.0.0.5:9000'],
    });
    expect(
      instanceFromHost({ ...goHost, instanceId: '', metadata: {}, weight: 2.5 }, 'x', 'http'),
    ).toMatchObject({
      id: '10.0.0.5#9000#DEFAULT#DEFAULT_GROUP@@helloworld.grpc',
      endpoints: ['http://10.0.0.5:9000'],
      metadata: { weight: '3' },
    });
    expect(() => instanceFromHost({ ...goHost, ip: '' }, 'x', 'grpc')).toThrow(/ip/);
  });

  it('stores what Go stores, as seen through the nacos open API', async () => {
    const registry = createNacosRegistry({ connection: { serverList }, logger: quietLogger });
    const name = uniqueName('helloworld');
    try {
      await registry.register({ ...instance, name });
      for (const scheme of ['http', 'grpc']) {
        const list = await waitFor(
          async () => {
            const res = await fetch(
              `${base}/v1/ns/instance/list?serviceName=${name}.${scheme}&groupName=DEFAULT_GROUP`,
            );
            const body = (await res.json()) as { hosts: Array<Record<string, unknown>> };
            return body.hosts.length === 1 ? body.hosts : undefined;
          },
          { timeout: 10_000 },
        );
        expect(list[0]).toMatchObject({
          ip: '10.0.0.5',
          port: scheme === 'http' ? 8000 : 9000,
          weight: 100,
          clusterName: 'DEFAULT',
          ephemeral: true,
          metadata: { ...instance.metadata, kind: scheme, version: 'v1.0.0' },
        });
      }
      const found = await registry.getService(`${name}.grpc`);
      expect(found[0]).toMatchObject({
        name: `${name}.grpc`,
        version: 'v1.0.0',
        endpoints: ['grpc://10.0.0.5:9000'],
      });
      await registry.deregister({ ...instance, name });
    } finally {
      await registry.close();
    }
  });

  it('skips a foreign instance with a warning, never emptying the set', async () => {
    const { lines, logger } = logged();
    const registry = createNacosRegistry({ connection: { serverList }, logger });
    const name = uniqueName('foreign');
    try {
      // A Go-shaped instance and one registered by something else without kratos metadata.
      await registry.register({ ...instance, name, endpoints: ['grpc://10.0.0.5:9000'] });
      await fetch(
        `${base}/v1/ns/instance?serviceName=${name}.grpc&ip=10.0.0.6&port=9001&ephemeral=false&metadata=${encodeURIComponent('{"kind":"grpc"}')}`,
        {
          method: 'POST',
        },
      );
      const got = await waitFor(
        async () => {
          const s = await registry.getService(`${name}.grpc`);
          return s.length >= 1 ? s : undefined;
        },
        { timeout: 10_000 },
      );
      expect(got.some((i) => i.endpoints[0] === 'grpc://10.0.0.5:9000')).toBe(true);
      expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
      await registry.deregister({ ...instance, name, endpoints: ['grpc://10.0.0.5:9000'] });
    } finally {
      await registry.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createNacosRegistry({})).toThrow(/client or connection/);
    expect(() => createNacosRegistry({ connection: { serverList: [] } })).toThrow(/serverList/);
    expect(() => createNacosRegistry({ connection: { serverList }, weight: -1 })).toThrow(/weight/);
    expect(() => createNacosRegistry({ connection: { serverList }, timeout: 0 })).toThrow(/timeout/);
  });
});

describe('nacos registry: outage and recovery', () => {
  it('keeps the last good set while nacos is down and converges when it returns', async () => {
    const server = await startServer('nacos');
    const list = server.endpoints.http!;
    const { lines, logger } = logged();
    const registrar = createNacosRegistry({ connection: { serverList: list }, timeout: 3000, logger });
    const discovery = createNacosRegistry({
      connection: { serverList: list },
      discoveryKind: 'grpc',
      timeout: 3000,
      logger,
    });
    const name = uniqueName('svc');
    const a: ServiceInstance = {
      id: 'a',
      name,
      version: 'v1',
      metadata: {},
      endpoints: ['grpc://127.0.0.1:9000'],
    };
    const b: ServiceInstance = { ...a, id: 'b', endpoints: ['grpc://127.0.0.1:9001'] };
    try {
      await registrar.register(a);
      const w = await discovery.watch(name);
      await nextMatching(w, (s) => s.length === 1, 20_000);
      await server.stop();
      await expect(discovery.getService(name)).rejects.toThrow();
      await waitFor(() => lines.some((l) => l.includes('nacos client')), { timeout: 30_000 });
      await server.restart();
      // The client's heartbeat brings `a` back (nacos keeps ephemeral instances in memory only).
      await registrar.register(b);
      const both = await nextMatching(w, (s) => s.length === 2, 90_000);
      expect(both.map((i) => i.endpoints[0]).sort()).toEqual([
        'grpc://127.0.0.1:9000',
        'grpc://127.0.0.1:9001',
      ]);
      await w.stop();
    } finally {
      await registrar.close();
      await discovery.close();
      await server.stop();
    }
  }, 300_000);
});
