// What each transport does with the caller's deadline on the next hop (documented in the README).
import { create } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { silentLogger } from '@kratos/testkit';
import { PingerService, PingRequestSchema, pingMethod, pingReply, pingRoute } from '@kratos/testkit/ping';
import { afterEach, describe, expect, it } from 'vitest';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Replies with the milliseconds left before the server-side deadline (-1 without one). */
const remaining = async (ctx: Context) =>
  pingReply('left', BigInt(ctx.deadline === undefined ? -1 : Math.max(0, ctx.deadline - Date.now())));

describe('deadline propagation to the next hop', () => {
  it('gRPC: the client deadline travels as grpc-timeout and bounds the server context', async () => {
    const server = createGrpcServer({ address: '127.0.0.1:0', logger: silentLogger, timeout: 60_000 });
    server.registerService(PingerService, { Ping: remaining as never });
    await server.start();
    closers.push(() => server.stop());
    const client = createGrpcClient({ endpoint: `direct:///127.0.0.1:${server.port}`, logger: silentLogger });
    closers.push(() => client.close());
    const reply = (await client.unary(pingMethod, create(PingRequestSchema, {}) as never, {
      timeout: 5000,
    })) as { remainingMs: bigint };
    expect(reply.remainingMs).toBeGreaterThan(0n);
    expect(reply.remainingMs).toBeLessThanOrEqual(5000n);
  });

  it('HTTP: nothing travels (as in Go Kratos); the server applies its own timeout', async () => {
    const server = createHttpServer({ address: '127.0.0.1:0', logger: silentLogger, timeout: 60_000 });
    server.route(pingRoute, remaining);
    await server.start();
    closers.push(() => server.stop());
    const client = createHttpClient({ endpoint: `http://127.0.0.1:${server.address()!.port}` });
    closers.push(() => client.close());
    const reply = (await client.invoke(pingRoute, { name: 'x' }, { timeout: 5000 })) as {
      remainingMs: bigint;
    };
    expect(reply.remainingMs).toBeGreaterThan(5000n);
  });
});
