import { type Context, createApp, createContext, KratosError, type Middleware } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logs.ts';
import { createMemoryTransport, MEMORY_TRANSPORT_UNAVAILABLE } from './memory-transport.ts';
import { describeTransportConformance, replyHeaderCapture } from './transport-conformance/index.ts';

const UNARY = '/conformance.v1.Conformance/Unary';
const STREAM = '/conformance.v1.Conformance/Stream';

describeTransportConformance({
  name: 'in-memory',
  features: { streaming: true, deadlinePropagation: true },
  async start(handlers) {
    const capture = replyHeaderCapture();
    const t = createMemoryTransport({ clientMiddleware: [capture.middleware] });
    t.server
      .handle(UNARY, async (ctx, req) => ({
        message: await handlers.unary(ctx, (req as { name: string }).name),
      }))
      .handleStream(STREAM, async function* (ctx, req) {
        for await (const m of handlers.stream(ctx, (req as { name: string }).name)) yield { message: m };
      });
    await t.server.start();
    return {
      client: {
        async unary(name, options = {}) {
          const req = { name };
          const reply = await t.call<{ message: string }>(UNARY, req, options);
          return { message: reply.message, replyHeader: capture.of(req) };
        },
        async *stream(name, options = {}) {
          for await (const r of t.stream<{ message: string }>(STREAM, { name }, options)) yield r.message;
        },
      },
      stop: (options) => t.server.stop(options),
    };
  },
});

describe('createMemoryTransport', () => {
  it('runs server and client middleware around the call, first outermost', async () => {
    const order: string[] = [];
    const mark =
      (name: string): Middleware =>
      (next) =>
      async (ctx: Context, req) => {
        order.push(`${ctx.side}:${name}`);
        return next(ctx, req);
      };
    const t = createMemoryTransport({ middleware: [mark('a'), mark('b')], clientMiddleware: [mark('c')] });
    t.server.handle('/t.T/M', async (_ctx, req) => req);
    await t.server.start();
    expect(await t.call('/t.T/M', { v: 1 })).toEqual({ v: 1 });
    expect(order).toEqual(['client:c', 'server:a', 'server:b']);
  });

  it('copies messages as a wire would: the handler cannot change what the caller holds', async () => {
    const t = createMemoryTransport();
    t.server.handle('/t.T/M', async (_ctx, req) => {
      (req as { v: number }).v = 2;
      return req;
    });
    await t.server.start();
    const req = { v: 1 };
    expect(await t.call('/t.T/M', req)).toEqual({ v: 2 });
    expect(req.v).toBe(1);
  });

  it('refuses calls before start and after stop with 503, and unknown operations with 404', async () => {
    const t = createMemoryTransport();
    t.server.handle('/t.T/M', async () => 'ok');
    const before = await t.call('/t.T/M', {}).catch((e: unknown) => e);
    expect((before as KratosError).reason).toBe(MEMORY_TRANSPORT_UNAVAILABLE);
    await t.server.start();
    expect(((await t.call('/t.T/Nope', {}).catch((e: unknown) => e)) as KratosError).code).toBe(404);
    await t.server.stop();
    const after = await t.call('/t.T/M', {}).catch((e: unknown) => e);
    expect(KratosError.is(after) && after.code).toBe(503);
  });

  it('is a core Server an App starts and stops', async () => {
    const t = createMemoryTransport();
    t.server.handle('/t.T/M', async (ctx) => ctx.kind);
    let up!: () => void;
    const started = new Promise<void>((resolve) => {
      up = resolve;
    });
    const app = createApp({
      name: 'memory',
      servers: [t.server],
      signals: [],
      logger: silentLogger,
      afterStart: [async () => up()],
    });
    const running = app.run();
    await started;
    expect(await t.call('/t.T/M', {}, { ctx: createContext() })).toBe('memory');
    await app.stop();
    await running;
  });
});
