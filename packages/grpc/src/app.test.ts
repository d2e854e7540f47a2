import { type AppInfo, type Context, createApp, createMemoryRegistry } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createGrpcClient, createGrpcServer } from './index.ts';
import {
  file_helloworld_v1_greeter,
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
} from './testdata/greeter.ts';
import { silent, until } from './testdata/harness.ts';

describe('inside an App', () => {
  it('registers its endpoint, is found through discovery, sees the app info, and stops cleanly', async () => {
    const registry = createMemoryRegistry();
    let seenApp: AppInfo | undefined;
    const server = createGrpcServer({ address: '127.0.0.1:0', logger: silent });
    server.registerService(
      GreeterService,
      {
        SayHello: async (ctx: Context, req: HelloRequest) => {
          seenApp = ctx.app;
          return helloReply({ message: `Hello ${req.name}` });
        },
      },
      { file: file_helloworld_v1_greeter },
    );
    const app = createApp({
      name: 'helloworld',
      version: 'v1',
      servers: [server],
      registrar: registry,
      signals: [],
      logger: silent,
    });
    const running = app.run();
    await until(() => server.port !== 0);
    const client = createGrpcClient({
      endpoint: 'discovery:///helloworld',
      discovery: registry,
      logger: silent,
    });
    try {
      const reply = await client.unary(GreeterService.SayHello, helloRequest({ name: 'app' }), {
        timeout: 5000,
      });
      expect(reply.message).toBe('Hello app');
      expect(seenApp?.name).toBe('helloworld');
      const [instance] = await registry.getService('helloworld');
      expect(instance?.endpoints).toEqual([`grpc://127.0.0.1:${server.port}?isSecure=false`]);
    } finally {
      await client.close();
      await app.stop();
      await running;
    }
    expect(await registry.getService('helloworld')).toEqual([]);
  });
});
