import { create } from '@bufbuild/protobuf';
import { createContext, KratosError } from '@kratos/core';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { silentLogger } from '@kratos/testkit';
import {
  PING_OPERATION,
  PingerService,
  PingRequestSchema,
  pingMethod,
  pingReply,
  pingRoute,
} from '@kratos/testkit/ping';
import { afterEach, describe, expect, it } from 'vitest';
import { circuitBreakerOpen, createRetryBudget, type RetryOptions, retry } from '../index.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const unavailable = () => new KratosError(503, '', 'try later');

/** A handler failing `failures` times with `error`, then answering. */
function flaky(failures: number, error: () => Error = unavailable) {
  const s = { calls: 0 };
  const handler = async () => {
    s.calls++;
    if (s.calls <= failures) throw error();
    return 'ok';
  };
  return { s, handler };
}

function rig(options: RetryOptions = {}) {
  const slept: number[] = [];
  const m = retry({
    idempotent: ['/a.A/Get'],
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...options,
  });
  return { m, slept };
}

const ctx = (operation = '/a.A/Get', extra: Parameters<typeof createContext>[0] = {}) =>
  createContext({ side: 'client', operation, ...extra });

describe('retry', () => {
  it('repeats an idempotent call failing with 503, with exponential backoff', async () => {
    const { m, slept } = rig();
    const f = flaky(2);
    expect(await m(f.handler)(ctx(), null)).toBe('ok');
    expect(f.s.calls).toBe(3);
    expect(slept).toEqual([100, 200]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { m } = rig({ maxAttempts: 2 });
    const f = flaky(5);
    await expect(m(f.handler)(ctx(), null)).rejects.toMatchObject({ code: 503 });
    expect(f.s.calls).toBe(2);
  });

  it('caps and jitters the delays', async () => {
    const { m, slept } = rig({
      maxAttempts: 6,
      random: () => 1,
      backoff: { initial: 100, max: 300, multiplier: 2, jitter: 0.5 },
      budget: false,
    });
    await m(flaky(5).handler)(ctx(), null);
    expect(slept).toEqual([150, 300, 300, 300, 300]);
  });

  it('does not repeat calls that are not idempotent, other codes, nor an open breaker', async () => {
    const { m } = rig();
    const f = flaky(1);
    await expect(m(f.handler)(ctx('/a.A/Create'), null)).rejects.toMatchObject({ code: 503 });
    expect(f.s.calls).toBe(1);
    const g = flaky(1, () => new KratosError(500, '', 'bug'));
    await expect(m(g.handler)(ctx(), null)).rejects.toMatchObject({ code: 500 });
    expect(g.s.calls).toBe(1);
    const open = flaky(1, circuitBreakerOpen);
    await expect(m(open.handler)(ctx(), null)).rejects.toMatchObject({ code: 503, reason: 'CIRCUITBREAKER' });
    expect(open.s.calls).toBe(1);
  });

  it('treats HTTP methods as idempotent when the context carries the method, and takes a predicate', async () => {
    const { m } = rig({ idempotent: (c) => c.operation.endsWith('/List') });
    const f = flaky(1);
    expect(await m(f.handler)(ctx('/a.A/Whatever', { raw: { method: 'put' } }), null)).toBe('ok');
    const g = flaky(1);
    await expect(m(g.handler)(ctx('/a.A/Whatever', { raw: { method: 'POST' } }), null)).rejects.toThrow();
    const h = flaky(1);
    expect(await m(h.handler)(ctx('/a.A/List'), null)).toBe('ok');
  });

  it('never retries past the deadline', async () => {
    const clock = { t: 1_000_000 };
    const { m, slept } = rig({ now: () => clock.t, maxAttempts: 5 });
    const f = flaky(10);
    const c = ctx('/a.A/Get', { deadline: clock.t + 250 });
    await expect(m(f.handler)(c, null)).rejects.toMatchObject({ code: 503 });
    // Delays 100 and 200 end before the deadline (the clock stands still here); 400 would not.
    expect(slept).toEqual([100, 200]);
    expect(f.s.calls).toBe(3);
  });

  it('stops when the deadline leaves no room for the backoff', async () => {
    const clock = { t: 1_000_000 };
    const { m, slept } = rig({ now: () => clock.t });
    const f = flaky(10);
    await expect(m(f.handler)(ctx('/a.A/Get', { deadline: clock.t + 50 }), null)).rejects.toMatchObject({
      code: 503,
    });
    expect(f.s.calls).toBe(1);
    expect(slept).toEqual([]);
  });

  it('stops retrying when the budget runs low, and refills it with successes', async () => {
    const budget = createRetryBudget({ maxTokens: 4, tokenRatio: 1 });
    const { m } = rig({ budget, maxAttempts: 10 });
    const f = flaky(100);
    await expect(m(f.handler)(ctx(), null)).rejects.toThrow();
    // 4 tokens: failures take 1 each, retrying only while more than 2 are left.
    expect(f.s.calls).toBe(2);
    expect(budget.canRetry()).toBe(false);
    await m(async () => 'ok')(ctx(), null);
    expect(budget.tokens).toBe(3);
    expect(budget.canRetry()).toBe(true);
  });

  it('stops waiting when the call is cancelled', async () => {
    const m = retry({ idempotent: ['/a.A/Get'], backoff: { initial: 60_000 } });
    const c = ctx();
    const f = flaky(5);
    const p = m(f.handler)(c, null);
    setTimeout(() => c.cancel(), 10);
    await expect(p).rejects.toMatchObject({ code: 503 });
    expect(f.s.calls).toBe(1);
  });

  it('HTTP end to end: the call succeeds after two 503s', async () => {
    let calls = 0;
    const server = createHttpServer({ address: '127.0.0.1:0', logger: silentLogger });
    server.route(pingRoute, async (_ctx, req: { name: string }) => {
      if (++calls <= 2) throw unavailable();
      return pingReply(`hi ${req.name}`);
    });
    await server.start();
    closers.push(() => server.stop());
    const client = createHttpClient({
      endpoint: `http://127.0.0.1:${server.address()!.port}`,
      middleware: [retry({ idempotent: [PING_OPERATION], backoff: { initial: 1 } })],
    });
    closers.push(() => client.close());
    expect(await client.invoke(pingRoute, { name: 'x' })).toMatchObject({ message: 'hi x' });
    expect(calls).toBe(3);
  });

  it('gRPC end to end: UNAVAILABLE is retried, other codes are not', async () => {
    let calls = 0;
    const server = createGrpcServer({ address: '127.0.0.1:0', logger: silentLogger });
    server.registerService(PingerService, {
      Ping: (async (_ctx: unknown, req: { name: string }) => {
        calls++;
        if (req.name === 'bad') throw new KratosError(400, 'BAD', 'bad name');
        if (calls <= 2) throw unavailable();
        return pingReply(`hi ${req.name}`);
      }) as never,
    });
    await server.start();
    closers.push(() => server.stop());
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:${server.port}`,
      logger: silentLogger,
      middleware: [retry({ idempotent: [PING_OPERATION], backoff: { initial: 1 } })],
    });
    closers.push(() => client.close());
    const reply = await client.unary(pingMethod, create(PingRequestSchema, { name: 'x' }) as never);
    expect(reply).toMatchObject({ message: 'hi x' });
    expect(calls).toBe(3);
    await expect(
      client.unary(pingMethod, create(PingRequestSchema, { name: 'bad' }) as never),
    ).rejects.toMatchObject({ code: 400, reason: 'BAD' });
    expect(calls).toBe(4);
  });
});
