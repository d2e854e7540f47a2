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
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdRegistry } from './index.ts';

const fixture = readFileSync(new URL('./testdata/go-instance.json', import.meta.url), 'utf8');

let etcd: StartedServer;
let hosts: string;
beforeAll(async () => {
  etcd = await startServer('etcd');
  hosts = etcd.endpoints.client!;
});
afterAll(async () => {
  await etcd?.stop();
});

describeRegistryContract('etcd', () => createEtcdRegistry({ connection: { hosts }, logger: silentLogger }), {
  sharedWatch: true,
  openWatches: (r) => r.activeWatches,
  restart: async () => {
    await etcd.restart();
  },
  onRestartTimings: (t) => console.info('[restart timings] etcd', JSON.stringify(t)),
});

describe('etcd registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('writes the exact bytes Go Kratos writes, under <namespace>/<name>/<id>', async () => {
    const ns = `/${uniqueName('ns')}`;
    const registry = createEtcdRegistry({ connection: { hosts }, namespace: ns, logger: silentLogger });
    const raw = new Etcd3({ hosts });
    try {
      await registry.register(instance);
      expect(await raw.get(`${ns}/helloworld/go-helloworld-1`).string()).toBe(fixture);
      const lease = await raw.get(`${ns}/helloworld/go-helloworld-1`).exec();
      expect(lease.kvs[0]!.lease).not.toBe('0');
      await registry.deregister(instance);
      expect(await raw.get(`${ns}/helloworld/go-helloworld-1`).string()).toBeNull();
    } finally {
      await registry.close();
      raw.close();
    }
  });

  it("reads a Go service's record and skips foreign or broken records with a warning", async () => {
    const ns = `/${uniqueName('ns')}`;
    const { lines: warnings, logger } = recordLogs();
    const registry = createEtcdRegistry({ connection: { hosts }, namespace: ns, logger });
    const raw = new Etcd3({ hosts });
    try {
      await raw.put(`${ns}/helloworld/go-helloworld-1`).value(fixture);
      await raw.put(`${ns}/helloworld/broken`).value('{not json');
      await raw.put(`${ns}/helloworld/other`).value('{"id":"x","name":"other-service","endpoints":[]}');
      await raw.put(`${ns}/helloworld2/y`).value('{"id":"y","name":"helloworld2","endpoints":[]}');
      const found = await registry.getService('helloworld');
      expect(found).toEqual([instance]);
      expect(warnings.some((l) => l.includes(`${ns}/helloworld/broken`))).toBe(true);
      const w = await registry.watch('helloworld');
      const first = await nextMatching(w, (set) => set.length === 1, 3000);
      expect(first[0]!.id).toBe('go-helloworld-1');
      await w.stop();
    } finally {
      await registry.close();
      await raw.delete().prefix(ns);
      raw.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createEtcdRegistry({})).toThrow(/client or connection/);
    expect(() => createEtcdRegistry({ connection: { hosts }, ttl: 0 })).toThrow(/ttl/);
  });
});

describe('etcd registry: outage and recovery', () => {
  it('keeps the last good set while etcd is down and converges when it returns', async () => {
    const server = await startServer('etcd');
    const { lines, logger } = recordLogs();
    const hosts = server.endpoints.client!;
    const registrar = createEtcdRegistry({ connection: { hosts }, logger });
    const discovery = createEtcdRegistry({ connection: { hosts }, logger });
    try {
      await checkRegistryOutage({
        server,
        registrar,
        discovery,
        whileDown: () =>
          waitFor(() => lines.some((l) => l.includes('disconnected') || l.includes('unreachable')), {
            timeout: 10_000,
          }),
      });
    } finally {
      await registrar.close();
      await discovery.close();
      await server.stop();
    }
  }, 90_000);

  it('registers again when its lease is lost, and watchers converge', async () => {
    const { lines: warnings, logger } = recordLogs();
    const registrar = createEtcdRegistry({ connection: { hosts }, ttl: 5, logger });
    const raw = new Etcd3({ hosts });
    const name = uniqueName('svc');
    const a: ServiceInstance = {
      id: 'a',
      name,
      version: 'v1',
      metadata: {},
      endpoints: ['http://127.0.0.1:8000?isSecure=false'],
    };
    try {
      await registrar.register(a);
      const w = await registrar.watch(name);
      await nextMatching(w, (s) => s.length === 1, 5000);
      // The lease expiring while the service is cut off from etcd: revoke it behind the registry's back.
      const kv = await raw.get(`/microservices/${name}/a`).exec();
      await raw.leaseClient.leaseRevoke({ ID: kv.kvs[0]!.lease });
      await nextMatching(w, (s) => s.length === 0, 10_000);
      const back = await nextMatching(w, (s) => s.length === 1, 30_000);
      expect(back[0]!.id).toBe('a');
      expect(warnings.some((l) => l.includes('lease lost'))).toBe(true);
      await w.stop();
    } finally {
      await registrar.deregister(a).catch(() => {});
      await registrar.close();
      raw.close();
    }
  }, 60_000);
});
