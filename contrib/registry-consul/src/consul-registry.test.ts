import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  describeRegistryContract,
  nextMatching,
  type StartedServer,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsulRegistry, instanceFromEntry, serviceRegistrationJson } from './index.ts';

const fixture = readFileSync(new URL('./testdata/go-registration.bin', import.meta.url), 'utf8');
const quietLogger = { log() {} };

let consul: StartedServer;
let http: string;
const connectionOf = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};
beforeAll(async () => {
  consul = await startServer('consul');
  http = consul.endpoints.http!;
});
afterAll(async () => {
  await consul?.stop();
});

const api = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${http}/v1${path}`, init);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
};

const logged = () => {
  const lines: string[] = [];
  const logger = {
    log: (level: string, ...kv: unknown[]) => {
      if (level !== 'debug') lines.push(`${level} ${kv.join(' ')}`);
    },
  };
  return { lines, logger };
};

// The contract's endpoints listen nowhere, so TCP checks would keep them critical: the TTL heartbeat
// alone decides health here (Go's WithHealthCheck(false)).
describeRegistryContract(
  'consul',
  () => createConsulRegistry({ connection: connectionOf(http), healthCheck: false, logger: quietLogger }),
  {
    sharedWatch: true,
    openWatches: (r) => r.activeWatches,
    timeoutMs: 5000,
    // -dev Consul forgets its catalog on restart: the heartbeat registers the instances again.
    restart: async () => {
      await consul.restart();
    },
    onRestartTimings: (t) => console.info('[restart timings] consul', JSON.stringify(t)),
  },
);

describe('consul registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };
  const defaults = {
    healthCheck: true,
    heartbeat: true,
    healthCheckInterval: 10,
    deregisterCriticalServiceAfter: 600,
    serviceChecks: [],
    tags: [],
  };

  it('builds the registration body Go Kratos sends, byte for byte', () => {
    expect(serviceRegistrationJson(instance, defaults)).toBe(fixture);
    const bare = JSON.parse(
      serviceRegistrationJson(
        { ...instance, metadata: {}, endpoints: [] },
        { ...defaults, heartbeat: false },
      ),
    );
    expect(bare).toEqual({
      ID: 'go-helloworld-1',
      Name: 'helloworld',
      Tags: ['version=v1.0.0'],
      Check: null,
      Checks: null,
    });
  });

  it('registers tagged addresses, TCP checks and the TTL check as Go does, passed at once', async () => {
    const registry = createConsulRegistry({ connection: connectionOf(http), logger: quietLogger });
    const id = uniqueName('go-like');
    try {
      await registry.register({ ...instance, id });
      const svc = await api(`/agent/service/${id}`);
      expect(svc).toMatchObject({
        ID: id,
        Service: 'helloworld',
        Tags: ['version=v1.0.0'],
        Address: '10.0.0.5',
        Port: 8000,
        Meta: instance.metadata,
        TaggedAddresses: {
          http: { Address: instance.endpoints[0], Port: 8000 },
          grpc: { Address: instance.endpoints[1], Port: 9000 },
        },
      });
      const checks = Object.values(
        (await api('/agent/checks')) as Record<string, Record<string, unknown>>,
      ).filter((c) => c.ServiceID === id);
      const ttl = checks.find((c) => c.CheckID === `service:${id}`);
      expect(ttl).toMatchObject({ Type: 'ttl', Status: 'passing', Output: 'pass' });
      // The agent shows a TCP check's kind and timings (not its address): one per endpoint.
      const tcp = checks.filter((c) => c.Type === 'tcp');
      expect(tcp).toHaveLength(2);
      for (const c of tcp) expect(c).toMatchObject({ Interval: '10s', Timeout: '5s' });
      await registry.deregister({ ...instance, id });
      await expect(api(`/agent/service/${id}`)).rejects.toThrow(/404/);
    } finally {
      await registry.close();
    }
  });

  it("reads a Go service's registration and skips entries that are not service instances", async () => {
    const { lines, logger } = logged();
    const name = uniqueName('helloworld');
    const goBody = fixture
      .replaceAll('"helloworld"', JSON.stringify(name))

      .replace(/\{"Interval[^}]*\},\{"Interval[^}]*\},/, '');
    await api('/agent/service/register', { method: 'PUT', body: goBody });
    await api('/agent/check/pass/service:go-helloworld-1', { method: 'PUT' });
    const registry = createConsulRegistry({ connection: connectionOf(http), logger });
    try {
      const found = await waitFor(async () => {
        const got = await registry.getService(name);
        return got.length === 1 ? got : undefined;
      });
      expect(found).toEqual([{ ...instance, name }]);
      // The entries Consul answers, plus a foreign one: the foreign one is skipped with a warning.
      const entries = (await api(`/health/service/${name}`)) as unknown[];
      expect(entries.map((e) => instanceFromEntry(e as never))).toEqual([{ ...instance, name }]);
      const custom = createConsulRegistry({
        connection: connectionOf(http),
        logger,
        resolver: (es) => es.map((e) => instanceFromEntry(e)),
      });
      expect(await custom.getService(name)).toHaveLength(1);
      await custom.close();
      expect(() => instanceFromEntry({ Service: { ID: 'x' } })).toThrow(/name/);
      expect(() =>
        instanceFromEntry({ Service: { ID: 'x', Service: 's', TaggedAddresses: { grpc: { Port: 1 } } } }),
      ).toThrow(/Address/);
      // Go's fallback: no tagged addresses -> http://Address:Port.
      expect(
        instanceFromEntry({ Service: { ID: 'x', Service: 's', Address: '10.0.0.9', Port: 80 } }).endpoints,
      ).toEqual(['http://10.0.0.9:80']);
      // A registration without tagged addresses at all, written by someone else, shows up as Go reads it.
      const w = await registry.watch(name);
      await nextMatching(w, (s) => s.length === 1, 5000);
      await w.stop();
      expect(lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    } finally {
      await api('/agent/service/deregister/go-helloworld-1', { method: 'PUT' });
      await registry.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createConsulRegistry({})).toThrow(/client or connection/);
    expect(() => createConsulRegistry({ connection: {}, healthCheckInterval: 0 })).toThrow(
      /healthCheckInterval/,
    );
    expect(() => createConsulRegistry({ connection: {}, waitTime: 'soon' })).toThrow(/waitTime/);
    expect(() => createConsulRegistry({ connection: {}, timeout: -1 })).toThrow(/timeout/);
  });

  it('rejects an endpoint that is not a URL with a clear error', async () => {
    const registry = createConsulRegistry({ connection: connectionOf(http), logger: quietLogger });
    try {
      await expect(registry.register({ ...instance, endpoints: ['not a url'] })).rejects.toThrow(/not a URL/);
    } finally {
      await registry.close();
    }
  });
});

describe('consul registry: heartbeat, outage and recovery', () => {
  it('keeps the last good set while Consul is down, registers again and converges when it returns', async () => {
    const server = await startServer('consul');
    const conn = connectionOf(server.endpoints.http!);
    const { lines, logger } = logged();
    const registrar = createConsulRegistry({
      connection: conn,
      healthCheck: false,
      healthCheckInterval: 1,
      timeout: 2000,
      logger,
    });
    const discovery = createConsulRegistry({ connection: conn, timeout: 2000, waitTime: '5s', logger });
    const name = uniqueName('svc');
    const a: ServiceInstance = {
      id: `${name}-a`,
      name,
      version: 'v1',
      metadata: {},
      endpoints: ['grpc://127.0.0.1:9000?isSecure=false'],
    };
    const b: ServiceInstance = { ...a, id: `${name}-b`, endpoints: ['grpc://127.0.0.1:9001?isSecure=false'] };
    try {
      await registrar.register(a);
      const w = await discovery.watch(name);
      await nextMatching(w, (s) => s.length === 1, 5000);
      // The TTL (2 s) is kept passing by the heartbeat. A witness registered after `a` with the
      // same TTL, passed once and never again: once Consul has let the witness go critical, the
      // TTL `a` started with has run out too, so only the heartbeat can have kept `a` passing.
      const agent = async (path: string, init?: RequestInit) => {
        const res = await fetch(`${server.endpoints.http}/v1${path}`, init);
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        const text = await res.text();
        return text ? JSON.parse(text) : undefined;
      };
      const witness = `${name}-witness`;
      await agent('/agent/service/register', {
        method: 'PUT',
        body: JSON.stringify({
          ID: witness,
          Name: witness,
          Check: { CheckID: `service:${witness}`, TTL: '2s' },
        }),
      });
      await agent(`/agent/check/pass/service:${witness}`, { method: 'PUT' });
      const status = async (id: string): Promise<string | undefined> =>
        ((await agent('/agent/checks')) as Record<string, { Status: string }>)[`service:${id}`]?.Status;
      await waitFor(async () => (await status(witness)) === 'critical', {
        timeout: 15_000,
        message: 'the witness TTL check going critical',
      });
      expect(await status(a.id)).toBe('passing');
      expect(await discovery.getService(name)).toHaveLength(1);
      await agent(`/agent/service/deregister/${witness}`, { method: 'PUT' });

      await server.stop();
      await expect(discovery.getService(name)).rejects.toThrow();
      await waitFor(() => lines.some((l) => l.includes('consul unreachable')), { timeout: 15_000 });
      await waitFor(() => lines.some((l) => l.includes('heartbeat to consul failed')), { timeout: 15_000 });

      // -dev Consul forgets its catalog on restart: the heartbeat registers `a` again.
      await server.restart();
      await registrar.register(b);
      const both = await nextMatching(w, (s) => s.length === 2, 40_000);
      expect(both.map((i) => i.id).sort()).toEqual([a.id, b.id]);
      // The heartbeat logs its re-registration once Consul has answered it, which may come just
      // after the watcher already saw `a` back.
      await waitFor(() => lines.some((l) => l.includes('re registry of service occurred success')), {
        timeout: 10_000,
      });
      await w.stop();
    } finally {
      await registrar.close();
      await discovery.close();
      await server.stop();
    }
  }, 120_000);
});
