import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  describeRegistryContract,
  nextMatching,
  type RegistryServer,
  recordLogs,
  silentLogger,
  startEureka,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEurekaRegistry, eurekaRecords, instancesFromEureka } from './index.ts';

const goBody = JSON.parse(readFileSync(new URL('./testdata/go-register-body.json', import.meta.url), 'utf8'));

let eureka: RegistryServer;
beforeAll(async () => {
  eureka = await startEureka();
}, 240_000);
afterAll(async () => {
  await eureka?.stop();
});

const options = () => ({
  endpoints: [eureka.url],
  path: 'eureka',
  refreshInterval: 300,
  // Eureka keeps its registry in memory: after a restart the next heartbeat is answered 404 and
  // the record is registered again.
  heartbeatInterval: 1000,
  logger: silentLogger,
});

describeRegistryContract('eureka', () => createEurekaRegistry(options()), {
  sharedWatch: true,
  openWatches: (r) => r.activeWatches,
  timeoutMs: 8000,
  restart: async () => {
    await eureka.restart();
  },
  onRestartTimings: (t) => console.info('[restart timings] eureka', JSON.stringify(t)),
});

describe('eureka registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000'],
  };

  it('builds the record Go Kratos sends', () => {
    expect(eurekaRecords(instance)).toEqual([goBody.instance]);
  });

  it('one record per endpoint; the order of several endpoints kept in kratos.endpoints', () => {
    const two = { ...instance, endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000'] };
    const records = eurekaRecords(two);
    expect(records.map((r) => [r.instanceId, r.port.$, r.metadata.Endpoints])).toEqual([
      ['10.0.0.5:HELLOWORLD:8000', 8000, 'http://10.0.0.5:8000?isSecure=false'],
      ['10.0.0.5:HELLOWORLD:9000', 9000, 'grpc://10.0.0.5:9000'],
    ]);
    expect(records[0]!.metadata['kratos.endpoints']).toBe(JSON.stringify(two.endpoints));
    // read back in the opposite order, joined into one instance in registration order
    expect(instancesFromEureka([records[1], records[0]])).toEqual([two]);
  });

  it('reads what Go registered as Go does (one Kratos instance per Go id), skipping records not UP', () => {
    const down = { ...goBody.instance, instanceId: 'x', status: 'DOWN', metadata: { ID: 'other' } };
    expect(instancesFromEureka([goBody.instance, down])).toEqual([instance]);
  });

  it('reads a record of a non-Kratos app with its instanceId and address', () => {
    const spring = {
      instanceId: 'host:orders:8080',
      app: 'ORDERS',
      ipAddr: '10.1.1.1',
      port: { $: 8080 },
      status: 'UP',
    };
    expect(instancesFromEureka([spring], 'orders')).toEqual([
      {
        id: 'host:orders:8080',
        name: 'orders',
        version: '',
        metadata: {},
        endpoints: ['http://10.1.1.1:8080'],
      },
    ]);
  });

  it('a record registered the way Go does is discovered, and ours is stored as Go stores it', async () => {
    const name = uniqueName('helloworld');
    const app = name.toUpperCase();
    const goRecord = {
      ...goBody.instance,
      instanceId: `10.0.0.5:${app}:8000`,
      app,
      hostName: app,
      vipAddress: app,
      metadata: { ...goBody.instance.metadata, Name: name },
    };
    const res = await fetch(`${eureka.url}/eureka/apps/${app}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ instance: goRecord }),
    });
    expect(res.status).toBe(204);
    const registry = createEurekaRegistry(options());
    try {
      await waitFor(async () => (await registry.getService(name)).length === 1, { timeout: 5000 });
      expect(await registry.getService(name)).toEqual([{ ...instance, name }]);
      const ours = { ...instance, id: 'ts-1', name, endpoints: ['grpc://10.0.0.6:9000'] };
      await registry.register(ours);
      const stored = (await (
        await fetch(`${eureka.url}/eureka/apps/${app}/10.0.0.6:${app}:9000`, {
          headers: { Accept: 'application/json' },
        })
      ).json()) as { instance: Record<string, unknown> };
      expect(stored.instance).toMatchObject({
        instanceId: `10.0.0.6:${app}:9000`,
        app,
        ipAddr: '10.0.0.6',
        status: 'UP',
        port: { $: 9000, '@enabled': 'true' },
        vipAddress: app,
        metadata: {
          ID: 'ts-1',
          Name: name,
          Version: 'v1.0.0',
          Endpoints: 'grpc://10.0.0.6:9000',
          agent: 'go-eureka-client',
          region: 'sh',
          weight: '100',
        },
      });
      const w = await registry.watch(name);
      await nextMatching(w, (s) => s.length === 2, 5000);
      await registry.deregister(ours);
      const left = await nextMatching(w, (s) => s.length === 1, 5000);
      expect(left[0]!.id).toBe('go-helloworld-1');
      await w.stop();
    } finally {
      await fetch(`${eureka.url}/eureka/apps/${app}/10.0.0.5:${app}:8000`, { method: 'DELETE' });
      await registry.close();
    }
  });

  it('registers again a record the server forgot (heartbeat answered 404)', async () => {
    const { lines, logger } = recordLogs(['warn']);
    const registry = createEurekaRegistry({ ...options(), heartbeatInterval: 200, logger });
    const name = uniqueName('forgot');
    const inst = { ...instance, id: 'f-1', name, endpoints: ['http://10.0.0.7:8000'] };
    try {
      await registry.register(inst);
      const app = name.toUpperCase();
      await fetch(`${eureka.url}/eureka/apps/${app}/10.0.0.7:${app}:8000`, { method: 'DELETE' });
      await waitFor(() => lines.some((l) => l.includes('registering again')), { timeout: 10_000 });
      await waitFor(async () => (await registry.getService(name)).length === 1, { timeout: 10_000 });
    } finally {
      await registry.deregister(inst);
      await registry.close();
    }
  });

  it('deregister waits for a renewal in flight, so a re-registration cannot bring the record back', async () => {
    // The server forgets the record; the heartbeat gets 404 and registers it again, and that
    // request is held here until deregister has been called. Sent after the delete, it would
    // leave a record nobody renews, listed until its lease ran out (90 s by default).
    const order: string[] = [];
    let holding = false;
    let release: (() => void) | undefined;
    let registering: (() => void) | undefined;
    const registeringAgain = new Promise<void>((resolve) => (registering = resolve));
    const gated: typeof fetch = async (input, init) => {
      if (init?.method === 'DELETE') order.push('delete sent');
      if (holding && init?.method === 'POST') {
        holding = false;
        await new Promise<void>((resolve) => {
          release = resolve;
          registering!();
        });
        const res = await fetch(input, init);
        order.push('registration answered');
        return res;
      }
      return fetch(input, init);
    };
    const registry = createEurekaRegistry({ ...options(), heartbeatInterval: 200, fetch: gated });
    const name = uniqueName('renewal');
    const inst = { ...instance, id: 'r-1', name, endpoints: ['http://10.0.0.8:8000'] };
    try {
      await registry.register(inst);
      holding = true;
      const app = name.toUpperCase();
      await fetch(`${eureka.url}/eureka/apps/${app}/10.0.0.8:${app}:8000`, { method: 'DELETE' });
      await registeringAgain;
      const gone = registry.deregister(inst);
      await new Promise((resolve) => setImmediate(resolve));
      release!();
      await gone;
      expect(order).toEqual(['registration answered', 'delete sent']);
      expect(await registry.getService(name)).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('keeps names that differ only in case apart (they share one Eureka app)', async () => {
    const registry = createEurekaRegistry(options());
    const lower = uniqueName('case');
    const upper = lower.toUpperCase();
    const a = { ...instance, id: 'case-a', name: lower, endpoints: ['http://10.0.1.1:8000'] };
    const b = { ...instance, id: 'case-b', name: upper, endpoints: ['http://10.0.1.2:8000'] };
    try {
      await registry.register(a);
      await registry.register(b);
      expect((await registry.getService(lower)).map((i) => i.id)).toEqual(['case-a']);
      expect((await registry.getService(upper)).map((i) => i.id)).toEqual(['case-b']);
    } finally {
      await registry.deregister(a);
      await registry.deregister(b);
      await registry.close();
    }
  });

  it('sends leaseInfo when leaseDuration is set, and the server keeps it', async () => {
    const registry = createEurekaRegistry({ ...options(), heartbeatInterval: 5000, leaseDuration: 20 });
    const name = uniqueName('lease');
    const app = name.toUpperCase();
    const inst = { ...instance, id: 'lease-1', name, endpoints: ['http://10.0.0.9:8000'] };
    try {
      await registry.register(inst);
      const stored = (await (
        await fetch(`${eureka.url}/eureka/apps/${app}/10.0.0.9:${app}:8000`, {
          headers: { Accept: 'application/json' },
        })
      ).json()) as { instance: { leaseInfo: Record<string, number> } };
      expect(stored.instance.leaseInfo).toMatchObject({ renewalIntervalInSecs: 5, durationInSecs: 20 });
    } finally {
      await registry.deregister(inst);
      await registry.close();
    }
  });

  // The first endpoint is tried first: the first call meets the refusing one and moves on.
  it('moves on to the next server when one refuses connections', async () => {
    const registry = createEurekaRegistry({ ...options(), endpoints: ['http://127.0.0.1:1', eureka.url] });
    const name = uniqueName('failover');
    const inst = { ...instance, id: 'fo-1', name, endpoints: ['http://10.0.0.8:8000'] };
    try {
      await registry.register(inst);
      for (let i = 0; i < 3; i++)
        expect((await registry.getService(name)).map((x) => x.id)).toEqual(['fo-1']);
    } finally {
      await registry.deregister(inst);
      await registry.close();
    }
  });

  it('rejects with the status when the server answers an error, and when no server answers', async () => {
    const failing = createEurekaRegistry({
      endpoints: ['http://eureka.invalid:8761'],
      fetch: async () => new Response('oops', { status: 500 }),
    });
    await expect(failing.getService('x')).rejects.toThrow(/eureka read of X answered HTTP 500/);
    await expect(failing.register(instance)).rejects.toThrow(/answered HTTP 500/);
    await failing.close();
    const dead = createEurekaRegistry({ endpoints: ['http://127.0.0.1:1'], timeout: 2000 });
    await expect(dead.getService('x')).rejects.toThrow(/failed on every server/);
    await dead.close();
  });

  it('rejects invalid options and endpoints with clear errors', async () => {
    expect(() => createEurekaRegistry({ endpoints: [] })).toThrow(/endpoints/);
    expect(() => createEurekaRegistry({ endpoints: ['not a url'] })).toThrow(/not a URL/);
    expect(() => createEurekaRegistry({ endpoints: ['http://127.0.0.1:1'], heartbeatInterval: 0 })).toThrow(
      /heartbeatInterval/,
    );
    const registry = createEurekaRegistry(options());
    await expect(registry.register({ ...instance, endpoints: ['no-port'] })).rejects.toThrow(/not a URL/);
    await registry.close();
  });
});
