import { createApp, createMemoryRegistry, type Registrar } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcClient, healthDefinition } from './index.ts';
import {
  file_helloworld_v1_greeter,
  GreeterService,
  type HelloReply,
  helloRequest,
} from './testdata/greeter.ts';
import { clientFor, greeterFixture, sayHello, silent, startGreeter, until } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

describe('health', () => {
  it('Check answers SERVING per service and overall, NOT_FOUND for unknown ones', async () => {
    const server = await started();
    const client = clientFor(server);
    cleanup(() => client.close());
    expect(await client.unary(healthDefinition.Check, { service: '' })).toEqual({ status: 'SERVING' });
    expect(await client.unary(healthDefinition.Check, { service: 'helloworld.v1.Greeter' })).toEqual({
      status: 'SERVING',
    });
    const err = await client.unary(healthDefinition.Check, { service: 'nope.Service' }).catch((e) => e);
    expect(err.code).toBe(404);
    server.setServingStatus('helloworld.v1.Greeter', 'NOT_SERVING');
    expect(await client.unary(healthDefinition.Check, { service: 'helloworld.v1.Greeter' })).toEqual({
      status: 'NOT_SERVING',
    });
  });

  it('Watch streams changes and NOT_SERVING on stop, then ends so the stop can finish', async () => {
    const server = await startGreeter({ SayHello: sayHello });
    const client = clientFor(server);
    cleanup(() => client.close());
    const seen: string[] = [];
    const unknown: string[] = [];
    const watching = (async () => {
      for await (const r of client.serverStream(healthDefinition.Watch, { service: '' })) seen.push(r.status);
    })();
    const watchingUnknown = (async () => {
      for await (const r of client.serverStream(healthDefinition.Watch, { service: 'later.Service' })) {
        unknown.push(r.status);
      }
    })();
    await until(() => seen.length === 1 && unknown.length === 1);
    expect(seen).toEqual(['SERVING']);
    expect(unknown).toEqual(['SERVICE_UNKNOWN']);
    server.setServingStatus('later.Service', 'SERVING');
    await until(() => unknown.length === 2);
    await server.stop();
    await watching;
    await watchingUnknown;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    expect(unknown).toEqual(['SERVICE_UNKNOWN', 'SERVING', 'NOT_SERVING']);
  });

  it('answers NOT_SERVING once an App begins to stop it (before deregistering), while still serving calls', async () => {
    const server = createGrpcServer({ address: '127.0.0.1:0', logger: silent });
    server.registerService(GreeterService, { SayHello: sayHello }, { file: file_helloworld_v1_greeter });
    const registry = createMemoryRegistry();
    // What the instance answers while the App deregisters it (the drain delay follows).
    let during: { check: unknown; greeter: unknown; hello: string } | undefined;
    let client: GrpcClient | undefined;
    const registrar: Registrar = {
      register: (i, o) => registry.register(i, o),
      async deregister(i, o) {
        await registry.deregister(i, o);
        const c = client!;
        during = {
          check: await c.unary(healthDefinition.Check, { service: '' }),
          greeter: await c.unary(healthDefinition.Check, { service: 'helloworld.v1.Greeter' }),
          hello: ((await c.unary(GreeterService.SayHello, helloRequest({ name: 'x' }))) as HelloReply)
            .message,
        };
        // Set by hand meanwhile: ignored, the stop has begun.
        server.setServingStatus('helloworld.v1.Greeter', 'SERVING');
      },
    };
    const app = createApp({
      name: 'drains',
      servers: [server],
      registrar,
      signals: [],
      logger: silent,
      drainDelay: 1,
    });
    const running = app.run();
    const watcher = (await registry.watch('drains'))[Symbol.asyncIterator]();
    while ((await watcher.next()).value.length === 0);
    await watcher.return?.();
    client = clientFor(server);
    cleanup(() => client!.close());
    const seen: string[] = [];
    const watching = (async () => {
      for await (const r of client.serverStream(healthDefinition.Watch, { service: '' })) seen.push(r.status);
    })();
    await until(() => seen.length === 1);
    await app.stop();
    await running;
    await watching;
    expect(during).toEqual({
      check: { status: 'NOT_SERVING' },
      greeter: { status: 'NOT_SERVING' },
      hello: 'Hello x',
    });
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });
});
