import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  describeRegistryContract,
  nextMatching,
  type RegistryServer,
  recordLogs,
  silentLogger,
  startServiceCenter,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServiceCombRegistry,
  instanceFromServiceComb,
  instanceRecord,
  microService,
  ServiceCombError,
  serviceCombVersion,
} from './index.ts';

const go = JSON.parse(readFileSync(new URL('./testdata/go-register.json', import.meta.url), 'utf8'));

let sc: RegistryServer;
beforeAll(async () => {
  sc = await startServiceCenter();
}, 120_000);
afterAll(async () => {
  await sc?.stop();
});

const H = { 'Content-Type': 'application/json', 'X-Domain-Name': 'default' };
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sc.url}/v4/default/registry${path}`, {
    method,
    headers: H,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
};

const options = () => ({
  endpoints: [sc.url],
  appId: 'default',
  environment: '',
  refreshInterval: 300,
  // A lease of 2 s x (3 + 1) = 8 s: long enough for a loaded machine, short enough that removals held
  // back by service-center's self-preservation (until the lease ends) still show within the waits.
  heartbeatInterval: 2000,
  logger: silentLogger,
});

// Metadata as a superset: Go's `appId` and `environment` properties come back with it.
// service-center holds instance DELETE events back for a 2 s window (its self-preservation check)
// before its cache, and so its answers, drop the instance: removals show after 2-3 s.
describeRegistryContract('servicecomb', () => createServiceCombRegistry(options()), {
  sharedWatch: true,
  openWatches: (r) => r.activeWatches,
  metadata: 'superset',
  propagationDelayMs: 3000,
  restart: async () => {
    await sc.restart();
  },
  onRestartTimings: (t) => console.info('[restart timings] servicecomb', JSON.stringify(t)),
});

describe('servicecomb registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: '1.0.0',
    metadata: {},
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('sends the microservice and instance Go Kratos sends', () => {
    expect(microService(instance, { appId: 'default', environment: '' })).toEqual(go.service);
    expect(
      instanceRecord(instance, {
        serviceId: 'SERVICE_ID',
        appId: 'default',
        environment: '',
        serviceVersion: '1.0.0',
      }),
    ).toEqual(go.instance);
  });

  it('maps Kratos versions service-center refuses to one it takes, keeping the Kratos one in a property', () => {
    expect(serviceCombVersion('1.2.3')).toBe('1.2.3');
    expect(serviceCombVersion('v2.3.4-rc.1')).toBe('2.3.4');
    expect(serviceCombVersion('latest')).toBe('0.0.0');
    expect(serviceCombVersion('99999.1')).toBe('0.0.0');
    const rec = instanceRecord(
      { ...instance, version: 'v2.3.4-rc.1', metadata: { weight: '5' } },
      { serviceId: 's', appId: 'default', environment: '', serviceVersion: '2.3.4' },
    );
    expect(rec.properties).toEqual({
      weight: '5',
      appId: 'default',
      environment: '',
      'kratos.version': 'v2.3.4-rc.1',
    });
    expect(instanceFromServiceComb({ ...rec, status: 'UP' }, 'helloworld')).toMatchObject({
      version: 'v2.3.4-rc.1',
      metadata: { weight: '5', appId: 'default', environment: '' },
    });
  });

  it('discovers an instance registered the way Go does, and stores ours as Go stores it', async () => {
    const name = uniqueName('helloworld');
    const created = await api('POST', '/microservices', { service: { ...go.service, serviceName: name } });
    expect(created.status).toBe(200);
    const serviceId = created.body.serviceId as string;
    const goId = uniqueName('go');
    const reg = await api('POST', `/microservices/${serviceId}/instances`, {
      instance: { ...go.instance, serviceId, instanceId: goId, hostName: goId },
    });
    expect(reg.status).toBe(200);
    const registry = createServiceCombRegistry(options());
    try {
      await waitFor(async () => (await registry.getService(name)).length === 1, { timeout: 5000 });
      expect(await registry.getService(name)).toEqual([
        { ...instance, id: goId, name, metadata: { appId: 'default', environment: '' } },
      ]);
      // ours joins the same microservice (same name and version), as Go's second instance would
      const ours = { ...instance, id: uniqueName('ts'), name, metadata: { weight: '7' } };
      await registry.register(ours);
      const stored = await api('GET', `/microservices/${serviceId}/instances/${ours.id}`);
      expect(stored.body.instance).toMatchObject({
        instanceId: ours.id,
        serviceId,
        hostName: ours.id,
        endpoints: ours.endpoints,
        status: 'UP',
        version: '1.0.0',
        properties: { appId: 'default', environment: '', weight: '7' },
      });
      const w = await registry.watch(name);
      await nextMatching(w, (s) => s.length === 2, 5000);
      await registry.deregister(ours);
      const left = await nextMatching(w, (s) => s.length === 1, 5000);
      expect(left[0]!.id).toBe(goId);
      await w.stop();
    } finally {
      await api('DELETE', `/microservices/${serviceId}/instances/${goId}`);
      await registry.close();
    }
  });

  it('registers again an instance service-center lost (heartbeat answered 400017)', async () => {
    const { lines, logger } = recordLogs(['warn']);
    const registry = createServiceCombRegistry({ ...options(), heartbeatInterval: 200, logger });
    const name = uniqueName('lost');
    const inst = { ...instance, id: uniqueName('l'), name };
    try {
      await registry.register(inst);
      const [found] = (await api('GET', `/instances?appId=default&serviceName=${name}&version=0%2B`)).body
        .instances;
      await api('DELETE', `/microservices/${found.serviceId}/instances/${inst.id}`);
      await waitFor(() => lines.some((l) => l.includes('registering again')), { timeout: 10_000 });
      await waitFor(async () => (await registry.getService(name)).length === 1, { timeout: 10_000 });
    } finally {
      await registry.deregister(inst);
      await registry.close();
    }
  });

  it('keeps environments apart (Go: CAS_ENVIRONMENT_ID)', async () => {
    const dev = createServiceCombRegistry({ ...options(), environment: 'development' });
    const plain = createServiceCombRegistry(options());
    const name = uniqueName('env');
    const inst = { ...instance, id: uniqueName('e'), name };
    try {
      await dev.register(inst);
      await waitFor(async () => (await dev.getService(name)).length === 1, { timeout: 5000 });
      expect((await dev.getService(name))[0]!.metadata).toEqual({
        appId: 'default',
        environment: 'development',
      });
      expect(await plain.getService(name)).toEqual([]);
    } finally {
      await dev.deregister(inst);
      await dev.close();
      await plain.close();
    }
  });

  // The first endpoint is tried first: the first call meets the refusing one and moves on.
  it('moves on to the next server when one refuses connections', async () => {
    const registry = createServiceCombRegistry({ ...options(), endpoints: ['http://127.0.0.1:1', sc.url] });
    const name = uniqueName('failover');
    const inst = { ...instance, id: uniqueName('fo'), name };
    try {
      await registry.register(inst);
      for (let i = 0; i < 3; i++)
        expect((await registry.getService(name)).map((x) => x.id)).toEqual([inst.id]);
    } finally {
      await registry.deregister(inst);
      await registry.close();
    }
  });

  it('rejects with a clear error when the answer is not service-center JSON, and when no server answers', async () => {
    const failing = createServiceCombRegistry({
      endpoints: ['http://sc.invalid:30100'],
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }),
    });
    await expect(failing.getService('x')).rejects.toThrow(/servicecomb read of x answered HTTP 502/);
    await failing.close();
    const dead = createServiceCombRegistry({ endpoints: ['http://127.0.0.1:1'], timeout: 2000 });
    await expect(dead.getService('x')).rejects.toThrow(/failed on every server/);
    await dead.close();
  });

  it('rejects what service-center refuses with its error code, and invalid options at construction', async () => {
    const registry = createServiceCombRegistry(options());
    const bad = { ...instance, id: 'not a valid id!', name: uniqueName('bad') };
    const err = await registry.register(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceCombError);
    expect((err as ServiceCombError).code).toBe('400001');
    expect((err as Error).message).toMatch(/InstanceId/);
    await registry.close();
    expect(() => createServiceCombRegistry({ endpoints: [] })).toThrow(/endpoints/);
    expect(() => createServiceCombRegistry({ endpoints: ['nope'] })).toThrow(/not a URL/);
    expect(() =>
      createServiceCombRegistry({ endpoints: ['http://127.0.0.1:1'], refreshInterval: -1 }),
    ).toThrow(/refreshInterval/);
  });
});
