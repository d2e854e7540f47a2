import { create } from '@bufbuild/protobuf';
import { createContext, matchOperations } from '@kratos/core';
import { applyMiddleware } from '@kratos/core/transport';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { silentLogger } from '@kratos/testkit';
import {
  PingerService,
  PingRequestSchema,
  pingMethod,
  pingReply,
  pingRoute,
  rawGrpcPing,
} from '@kratos/testkit/ping';
import { afterEach, describe, expect, it } from 'vitest';
import { createBbrLimiter, isRateLimited, rateLimit } from '../index.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A handler that holds every call until released. */
function gate() {
  const waiting: Array<() => void> = [];
  let entered = 0;
  return {
    handler: async (_ctx: unknown, req: { name: string }) => {
      entered++;
      await new Promise<void>((r) => waiting.push(r));
      return pingReply(`hi ${req.name}`);
    },
    get entered() {
      return entered;
    },
    release() {
      for (const r of waiting.splice(0)) r();
    },
  };
}

async function until(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!fn()) throw new Error('condition not met');
}

describe('rateLimit middleware', () => {
  async function startHttp(
    limiter: ReturnType<typeof createBbrLimiter>,
    handler: ReturnType<typeof gate>['handler'],
  ) {
    const server = createHttpServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      middleware: [rateLimit({ limiter })],
    });
    server.route(pingRoute, handler);
    await server.start();
    closers.push(() => server.stop());
    const client = createHttpClient({ endpoint: `http://127.0.0.1:${server.address()!.port}` });
    closers.push(() => client.close());
    return client;
  }

  it('HTTP: sheds with 429 RATELIMIT when the load is high and calls pile up', async () => {
    const g = gate();
    const client = await startHttp(createBbrLimiter({ cpu: () => 1000 }), g.handler);
    const held = [client.invoke(pingRoute, { name: 'a' }), client.invoke(pingRoute, { name: 'b' })];
    await until(() => g.entered === 2);
    const shed = await client.invoke(pingRoute, { name: 'c' }).catch((e: unknown) => e);
    expect(isRateLimited(shed)).toBe(true);
    expect(shed).toMatchObject({
      code: 429,
      reason: 'RATELIMIT',
      message: 'service unavailable due to rate limit exceeded',
    });
    g.release();
    expect(await Promise.all(held)).toMatchObject([{ message: 'hi a' }, { message: 'hi b' }]);
  });

  it('HTTP: serves the same pile-up while the load is under the threshold', async () => {
    const g = gate();
    const client = await startHttp(createBbrLimiter({ cpu: () => 100 }), g.handler);
    const calm = [1, 2, 3, 4].map((i) => client.invoke(pingRoute, { name: `n${i}` }));
    await until(() => g.entered === 4);
    g.release();
    expect(await Promise.all(calm)).toHaveLength(4);
  });

  it('gRPC: sheds with RESOURCE_EXHAUSTED and reason RATELIMIT', async () => {
    const limiter = createBbrLimiter({ cpu: () => 1000 });
    const g = gate();
    const server = createGrpcServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      middleware: [rateLimit({ limiter })],
    });
    server.registerService(PingerService, { Ping: g.handler as never });
    await server.start();
    closers.push(() => server.stop());

    const held = [rawGrpcPing(server.port, 'a'), rawGrpcPing(server.port, 'b')];
    await until(() => g.entered === 2);
    const raw = await rawGrpcPing(server.port, 'c');
    expect(raw.code).toBe(8); // RESOURCE_EXHAUSTED
    expect(raw.details).toBe('service unavailable due to rate limit exceeded');

    const client = createGrpcClient({ endpoint: `direct:///127.0.0.1:${server.port}`, logger: silentLogger });
    closers.push(() => client.close());
    const shed = await client
      .unary(pingMethod, create(PingRequestSchema, { name: 'd' }) as never)
      .catch((e: unknown) => e);
    expect(shed).toMatchObject({ code: 429, reason: 'RATELIMIT' });
    g.release();
    expect((await Promise.all(held)).map((r) => r.code)).toEqual([0, 0]);
  });

  it('can be scoped to operations with core matchOperations()', async () => {
    const shedAll = rateLimit({ limiter: { allow: () => undefined } });
    const scoped = matchOperations(shedAll).prefix('/admin.v1.').build();
    const handler = async () => 'ok';
    const admin = applyMiddleware(handler, [scoped], '/admin.v1.Admin/Wipe');
    const open = applyMiddleware(handler, [scoped], '/ping.v1.Pinger/Ping');
    await expect(admin(createContext({ operation: '/admin.v1.Admin/Wipe' }), null)).rejects.toMatchObject({
      code: 429,
      reason: 'RATELIMIT',
    });
    expect(await open(createContext({ operation: '/ping.v1.Pinger/Ping' }), null)).toBe('ok');
  });
});
