import {
  createMemoryRegistry,
  type Discovery,
  KratosError,
  type Logger,
  type ServiceInstance,
} from '@kratos/core';
import { createWatchChannel, type WatchChannel } from '@kratos/core/adapter';
import { createSelector } from '@kratos/selector';
import { describe, expect, it } from 'vitest';
import { createGrpcClient, type GrpcServer } from './index.ts';
import { GreeterService, helloReply, helloRequest } from './testdata/greeter.ts';
import { greeterFixture, silent, until } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

describe('discovery', () => {
  for (const balancer of ['p2c', 'wrr', 'random'] as const) {
    it(`spreads calls over the registered instances (${balancer})`, async () => {
      const registry = createMemoryRegistry();
      const servers: GrpcServer[] = [];
      const counts = [0, 0];
      for (const i of [0, 1]) {
        const s = await started({
          SayHello: async () => {
            counts[i]!++;
            return helloReply({ message: String(i) });
          },
        });
        servers.push(s);
        await registry.register({
          id: `greeter-${i}`,
          name: 'greeter',
          version: 'v1',
          metadata: {},
          endpoints: [
            s
              .endpoint()
              .toString()
              .replace(/\/\/[^:]+:/, '//127.0.0.1:'),
          ],
        });
      }
      const client = createGrpcClient({
        endpoint: 'discovery:///greeter',
        discovery: registry,
        selector: createSelector({ balancer }),
        logger: silent,
      });
      cleanup(() => client.close());
      for (let i = 0; i < 60; i++) await client.unary(GreeterService.SayHello, helloRequest());
      expect(counts[0]! + counts[1]!).toBe(60);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);

      // An instance leaving moves every call to the other one.
      await registry.deregister({
        id: 'greeter-0',
        name: 'greeter',
        version: 'v1',
        metadata: {},
        endpoints: [],
      });
      // The watch update is applied asynchronously: wait until calls stop reaching instance 0.
      let settled = false;
      for (let i = 0; i < 100 && !settled; i++) {
        const c0 = counts[0]!;
        await client.unary(GreeterService.SayHello, helloRequest());
        await client.unary(GreeterService.SayHello, helloRequest());
        settled = counts[0] === c0;
      }
      const before = counts[0]!;
      for (let i = 0; i < 10; i++) await client.unary(GreeterService.SayHello, helloRequest());
      expect(counts[0]).toBe(before);
    });
  }

  it('keeps calling the last good nodes while the registry is unreachable', async () => {
    const server = await started();
    let watches = 0;
    let channel: WatchChannel<ServiceInstance[]> | undefined;
    const broken: Discovery = {
      async getService() {
        throw new Error('registry down');
      },
      async watch() {
        watches++;
        if (watches > 1) throw new Error('registry down');
        channel = createWatchChannel<ServiceInstance[]>();
        channel.push([
          {
            id: 'a',
            name: 'svc',
            version: '',
            metadata: {},
            endpoints: [`grpc://127.0.0.1:${server.port}?isSecure=false`],
          },
        ]);
        return channel.watcher;
      },
    };
    const messages: string[] = [];
    const logger: Logger = {
      log(_level, ...kv) {
        messages.push(String(kv[kv.indexOf('msg') + 1]));
      },
    };
    const client = createGrpcClient({ endpoint: 'discovery:///svc', discovery: broken, logger });
    cleanup(() => client.close());
    await client.ready();
    // A broken registry answers an empty set, then the watch fails; each is logged once handled.
    channel!.push([]);
    await until(() => messages.some((m) => m.includes('zero endpoint found')));
    channel!.fail(new Error('connection lost'));
    await until(() => messages.some((m) => m.includes('failed to watch')));
    for (let i = 0; i < 5; i++) {
      expect((await client.unary(GreeterService.SayHello, helloRequest({ name: String(i) }))).message).toBe(
        `Hello ${i}`,
      );
    }
  });

  it('waits for the first node set before the first call', async () => {
    const registry = createMemoryRegistry();
    const client = createGrpcClient({ endpoint: 'discovery:///late', discovery: registry, logger: silent });
    cleanup(() => client.close());
    const call = client.unary(GreeterService.SayHello, helloRequest({ name: 'late' }), { timeout: 5000 });
    const server = await started();
    await registry.register({
      id: 'late-1',
      name: 'late',
      version: '',
      metadata: {},
      endpoints: [`grpc://127.0.0.1:${server.port}?isSecure=false`],
    });
    expect((await call).message).toBe('Hello late');
  });

  it('a call with no node in time fails with a Kratos error', async () => {
    const registry = createMemoryRegistry();
    const client = createGrpcClient({ endpoint: 'discovery:///none', discovery: registry, logger: silent });
    cleanup(() => client.close());
    const err = await client.unary(GreeterService.SayHello, helloRequest(), { timeout: 50 }).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect(err.code).toBe(504);
  });
});
