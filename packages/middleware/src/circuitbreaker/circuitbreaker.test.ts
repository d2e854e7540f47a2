import { createContext, KratosError } from '@kratos/core';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { silentLogger } from '@kratos/testkit';
import { pingReply, pingRoute } from '@kratos/testkit/ping';
import { afterEach, describe, expect, it } from 'vitest';
import { circuitBreaker, createSreBreaker, isBreakerFailure, isCircuitBreakerOpen } from '../index.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function rig(random = 0.5) {
  const s = { t: 50_000, random };
  const breaker = createSreBreaker({ now: () => s.t, random: () => s.random });
  return { s, breaker };
}

describe('SRE breaker', () => {
  it('stays closed below the minimum number of requests, whatever fails', () => {
    const { breaker } = rig(0);
    for (let i = 0; i < 99; i++) breaker.markFailed();
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('closed');
  });

  it('drops with probability (requests - K x accepts) / (requests + 1) once tripped', () => {
    const r = rig();
    // 100 calls, 30 successes: K x accepts = 50, p = (100 - 50) / 101.
    for (let i = 0; i < 30; i++) r.breaker.markSuccess();
    for (let i = 0; i < 70; i++) r.breaker.markFailed();
    const p = (100 - 30 / 0.6) / 101;
    r.s.random = p - 0.001;
    expect(r.breaker.allow()).toBe(false);
    expect(r.breaker.state).toBe('open');
    r.s.random = p + 0.001;
    expect(r.breaker.allow()).toBe(true);
  });

  it('never drops while the success ratio stays above 1/K', () => {
    const r = rig(0);
    for (let i = 0; i < 70; i++) r.breaker.markSuccess();
    for (let i = 0; i < 50; i++) r.breaker.markFailed();
    // 120 total, K x 70 = 116.7 < 120: p = 3.3 / 121 > 0 -> random 0 drops.
    expect(r.breaker.allow()).toBe(false);
    for (let i = 0; i < 6; i++) r.breaker.markSuccess();
    // 126 total, K x 76 = 126.7: not above -> closed.
    expect(r.breaker.allow()).toBe(true);
    expect(r.breaker.state).toBe('closed');
  });

  it('forgets calls older than the window', () => {
    const r = rig(0);
    for (let i = 0; i < 200; i++) r.breaker.markFailed();
    expect(r.breaker.allow()).toBe(false);
    r.s.t += 3000;
    expect(r.breaker.summary()).toEqual({ accepts: 0, total: 0 });
    expect(r.breaker.allow()).toBe(true);
  });

  it('honours K and request options', () => {
    const s = { t: 0 };
    const b = createSreBreaker({ k: 2, request: 4, now: () => s.t, random: () => 0 });
    b.markSuccess();
    b.markSuccess();
    b.markFailed();
    b.markFailed();
    expect(b.allow()).toBe(true); // 4 <= 2 x 2
    b.markFailed();
    expect(b.allow()).toBe(false);
  });
});

describe('circuitBreaker middleware', () => {
  const ctx = (operation: string) => createContext({ side: 'client', operation });

  it('counts 500, 503 and 504 as failures, everything else as success', () => {
    expect(isBreakerFailure(new KratosError(500, '', 'x'))).toBe(true);
    expect(isBreakerFailure(new KratosError(503, '', 'x'))).toBe(true);
    expect(isBreakerFailure(new KratosError(504, '', 'x'))).toBe(true);
    expect(isBreakerFailure(new Error('plain'))).toBe(true); // unknown errors are 500
    expect(isBreakerFailure(new KratosError(400, 'BAD', 'x'))).toBe(false);
    expect(isBreakerFailure(new KratosError(404, 'NOPE', 'x'))).toBe(false);
    expect(isBreakerFailure(new KratosError(429, 'RATELIMIT', 'x'))).toBe(false);
  });

  it('keeps one breaker per operation and marks outcomes', async () => {
    const made = new Map<string, ReturnType<typeof createSreBreaker>>();
    const m = circuitBreaker({
      breaker: (op) => {
        const b = createSreBreaker({ random: () => 0 });
        made.set(op, b);
        return b;
      },
    });
    const h = m(async (c, req) => {
      if (req === 'boom') throw new KratosError(503, '', 'down');
      if (req === 'bad') throw new KratosError(400, 'BAD', 'bad');
      return c.operation;
    });
    expect(await h(ctx('/a.A/One'), 'ok')).toBe('/a.A/One');
    await expect(h(ctx('/a.A/One'), 'boom')).rejects.toMatchObject({ code: 503 });
    await expect(h(ctx('/a.A/One'), 'bad')).rejects.toMatchObject({ code: 400 });
    await h(ctx('/b.B/Two'), 'ok');
    expect(made.get('/a.A/One')!.summary()).toEqual({ accepts: 2, total: 3 });
    expect(made.get('/b.B/Two')!.summary()).toEqual({ accepts: 1, total: 1 });
  });

  it('end to end: a failing HTTP server makes the client reject without calling it', async () => {
    let served = 0;
    const server = createHttpServer({ address: '127.0.0.1:0', logger: silentLogger });
    server.route(pingRoute, async () => {
      served++;
      throw new KratosError(503, 'DOWN', 'backend down');
    });
    await server.start();
    closers.push(() => server.stop());
    const client = createHttpClient({
      endpoint: `http://127.0.0.1:${server.address()!.port}`,
      middleware: [circuitBreaker({ breaker: () => createSreBreaker({ random: () => 0, now: () => 0 }) })],
    });
    closers.push(() => client.close());

    // Below 100 calls the breaker lets everything through: the server answers every one.
    for (let i = 0; i < 100; i++) {
      const e = await client.invoke(pingRoute, { name: 'x' }).catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 503, reason: 'DOWN' });
    }
    expect(served).toBe(100);
    const rejected = await client.invoke(pingRoute, { name: 'x' }).catch((err: unknown) => err);
    expect(isCircuitBreakerOpen(rejected)).toBe(true);
    expect(rejected).toMatchObject({
      code: 503,
      reason: 'CIRCUITBREAKER',
      message: 'request failed due to circuit breaker triggered',
    });
    expect(served).toBe(100);
  });

  it('a healthy server keeps the breaker closed', async () => {
    const server = createHttpServer({ address: '127.0.0.1:0', logger: silentLogger });
    server.route(pingRoute, async (_ctx, req: { name: string }) => pingReply(req.name));
    await server.start();
    closers.push(() => server.stop());
    const client = createHttpClient({
      endpoint: `http://127.0.0.1:${server.address()!.port}`,
      middleware: [circuitBreaker({ breaker: () => createSreBreaker({ random: () => 0, now: () => 0 }) })],
    });
    closers.push(() => client.close());
    for (let i = 0; i < 120; i++) {
      expect(await client.invoke(pingRoute, { name: `n${i}` })).toMatchObject({ message: `n${i}` });
    }
  });
});
