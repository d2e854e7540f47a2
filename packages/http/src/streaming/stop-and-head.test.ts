import { type Context, KratosError, type Middleware } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createHttpClient, createHttpServer, type HttpRouteDesc, type HttpServer } from '../index.ts';
import { HelloReplySchema, HelloRequestSchema } from '../testdata/echo.ts';
import { httpServers, quiet } from '../testdata/serve.ts';

const { start, track } = httpServers();

const route: HttpRouteDesc = {
  method: 'GET',
  path: '/feed/{name}',
  operation: '/t.S/Feed',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  serverStreaming: true,
};

/** Resolves once `n` calls to `hit()` were made. */
function countdown(n: number) {
  let left = n;
  let open!: () => void;
  const reached = new Promise<void>((r) => {
    open = r;
  });
  return {
    hit() {
      if (--left === 0) open();
    },
    reached,
  };
}

/** Waits for the context's cancellation (never for a timer of its own). */
function untilCancelled(ctx: Context): Promise<never> {
  return new Promise((_, reject) => {
    if (ctx.signal.aborted) reject(ctx.signal.reason);
    else ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  });
}

/** A started server of its own (the test stops it), with its base URL. */
async function serve(setup: (s: HttpServer) => void, idleGrace = 0) {
  const server = createHttpServer({ address: '127.0.0.1:0', logger: quiet, idleGrace });
  setup(server);
  track(server);
  await server.start();
  return { server, base: `http://127.0.0.1:${server.address()!.port}` };
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { result?: { message: string }; error?: { code: number; reason: string } });

describe('streamed replies when the server stops', () => {
  it('ends every open stream with a final 503 frame, cancels its handler, and stop returns', async () => {
    const streaming = countdown(3);
    const cancelled: unknown[] = [];
    const { server, base } = await serve((s) =>
      s.route(route, async function* (ctx: Context, req: { name: string }) {
        try {
          yield { message: `hello ${req.name}` };
          streaming.hit();
          await untilCancelled(ctx);
        } finally {
          cancelled.push(ctx.signal.reason);
        }
      }),
    );
    const responses = await Promise.all([
      fetch(`${base}/feed/a`),
      fetch(`${base}/feed/b`),
      fetch(`${base}/feed/c`, { headers: { accept: 'text/event-stream' } }),
    ]);
    const bodies = responses.map((r) => r.text());
    await streaming.reached;

    await server.stop();

    const [a, b, c] = await Promise.all(bodies);
    for (const [name, text] of [
      ['a', a!],
      ['b', b!],
    ] as const) {
      expect(lines(text)).toEqual([
        { result: { message: `hello ${name}` } },
        {
          error: {
            code: 503,
            reason: 'SERVICE_UNAVAILABLE',
            message: 'the server is stopping',
            metadata: {},
          },
        },
      ]);
    }
    expect(c).toBe(
      'data: {"message":"hello c"}\n\nevent: error\ndata: {"code":503,"reason":"SERVICE_UNAVAILABLE","message":"the server is stopping","metadata":{}}\n\n',
    );
    expect(cancelled).toHaveLength(3);
    for (const reason of cancelled) expect(KratosError.is(reason) && reason.code).toBe(503);
  });

  it('answers a stream that has not written its first message with a plain 503 reply', async () => {
    const waiting = countdown(1);
    const { server, base } = await serve((s) =>
      s.route(route, async function* (ctx: Context) {
        waiting.hit();
        await untilCancelled(ctx);
        yield { message: 'never' };
      }),
    );
    const res = fetch(`${base}/feed/slow`);
    await waiting.reached;
    await server.stop();
    const r = await res;
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ code: 503, reason: 'SERVICE_UNAVAILABLE' });
  });

  it("the generated-style client's stream loop fails with the 503", async () => {
    const streaming = countdown(1);
    const { server, base } = await serve((s) =>
      s.route(route, async function* (ctx: Context) {
        yield { message: 'one' };
        streaming.hit();
        await untilCancelled(ctx);
      }),
    );
    const client = createHttpClient({ endpoint: base });
    try {
      const got: string[] = [];
      const reading = (async () => {
        for await (const r of client.stream<unknown, { message: string }>(route, { name: 'x' }))
          got.push(r.message);
      })().catch((e: unknown) => e);
      await streaming.reached;
      await server.stop();
      const err = await reading;
      expect(got).toEqual(['one']);
      expect(KratosError.is(err) && [err.code, err.reason]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    } finally {
      await client.close();
    }
  });

  it('lets a stream that ends on its own during the drain finish, and closes its connection', async () => {
    const streaming = countdown(1);
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    let cancelledBy: unknown = 'not cancelled';
    // A long grace: stop can return early only because the stream's connection closes.
    const { server, base } = await serve(
      (s) =>
        s.route(route, async function* (ctx: Context) {
          yield { message: 'first' };
          streaming.hit();
          await finished;
          if (ctx.signal.aborted) cancelledBy = ctx.signal.reason;
          yield { message: 'last' };
        }),
      120_000,
    );
    const res = await fetch(`${base}/feed/d`, { headers: { accept: 'text/event-stream' } });
    const body = res.text();
    await streaming.reached;
    const stopping = server.stop();
    finish();
    expect(await body).toBe(
      'data: {"message":"first"}\n\ndata: {"message":"last"}\n\nevent: end\ndata: {}\n\n',
    );
    await stopping;
    expect(cancelledBy).toBe('not cancelled');
  });
});

describe('HEAD on a stream route', () => {
  it('answers with the headers a GET would get, without running the handler', async () => {
    let runs = 0;
    const base = await start((s) =>
      s.route(route, async function* () {
        runs++;
        // a feed that never ends: HEAD must not wait for it
        for (;;) {
          yield { message: 'tick' };
          await new Promise((r) => setImmediate(r));
        }
      }),
    );
    const nd = await fetch(`${base}/feed/h`, { method: 'HEAD' });
    expect(nd.status).toBe(200);
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    expect(await nd.text()).toBe('');
    const sse = await fetch(`${base}/feed/h`, { method: 'HEAD', headers: { accept: 'text/event-stream' } });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    expect(sse.headers.get('cache-control')).toBe('no-cache');
    expect(await sse.text()).toBe('');
    expect((await fetch(`${base}/feed/h`, { method: 'HEAD', headers: { accept: 'text/html' } })).status).toBe(
      406,
    );
    expect(runs).toBe(0);
    // A GET runs it (the counter counts).
    const controller = new AbortController();
    const get = await fetch(`${base}/feed/h`, { signal: controller.signal });
    const reader = get.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.closed.catch(() => {});
    expect(runs).toBe(1);
  });

  it('runs the middleware: its refusal and its reply headers reach the HEAD reply', async () => {
    let runs = 0;
    const seen: string[] = [];
    const auth: Middleware = (next) => async (ctx, req) => {
      seen.push(ctx.operation);
      if (ctx.requestHeader.get('authorization') !== 'Bearer ok')
        throw new KratosError(401, 'UNAUTHORIZED', 'no token');
      ctx.replyHeader.set('x-served-by', 'mw');
      return next(ctx, req);
    };
    const base = await start(
      (s) =>
        s.route(route, async function* () {
          runs++;
          yield { message: 'x' };
        }),
      { middleware: [auth] },
    );
    const refused = await fetch(`${base}/feed/m`, { method: 'HEAD' });
    expect(refused.status).toBe(401);
    const ok = await fetch(`${base}/feed/m`, { method: 'HEAD', headers: { authorization: 'Bearer ok' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-served-by')).toBe('mw');
    expect(seen).toEqual(['/t.S/Feed', '/t.S/Feed']);
    expect(runs).toBe(0);
  });
});
