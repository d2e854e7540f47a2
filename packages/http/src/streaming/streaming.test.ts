import { request as httpRequest } from 'node:http';
import { type Context, KratosError, type Middleware } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createHttpClient, type HttpRouteDesc } from '../index.ts';
import { HelloReplySchema, HelloRequestSchema } from '../testdata/echo.ts';
import { httpServers } from '../testdata/serve.ts';

const { start } = httpServers();

const route: HttpRouteDesc = {
  method: 'GET',
  path: '/count/{name}',
  operation: '/t.S/Count',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  serverStreaming: true,
};

/** Three greetings. */
async function* three(_ctx: Context, req: { name: string }) {
  for (let i = 1; i <= 3; i++) yield { message: `hi ${req.name} #${i}` };
}

/** One greeting, then a Kratos error. */
async function* oneThenFail(_ctx: Context, req: { name: string }) {
  yield { message: `hi ${req.name}` };
  throw new KratosError(409, 'COUNT_CONFLICT', 'counted too far', { metadata: { at: '1' } });
}

/** A latch: `wait()` resolves once `open()` ran. */
function latch<T = void>() {
  let open!: (v: T) => void;
  const p = new Promise<T>((r) => {
    open = r;
  });
  return { open, wait: () => p };
}

describe('streamed replies over HTTP', () => {
  it('writes newline-delimited JSON by default and for Accept: application/x-ndjson', async () => {
    const base = await start((s) => s.route(route, three));
    for (const accept of [undefined, 'application/x-ndjson', '*/*', 'application/json']) {
      const res = await fetch(`${base}/count/ann`, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      expect(await res.text()).toBe(
        '{"result":{"message":"hi ann #1"}}\n{"result":{"message":"hi ann #2"}}\n{"result":{"message":"hi ann #3"}}\n',
      );
    }
  });

  it('writes Server-Sent Events for Accept: text/event-stream, ending with an end event', async () => {
    const base = await start((s) => s.route(route, three));
    const res = await fetch(`${base}/count/bo`, {
      headers: { accept: 'application/x-ndjson;q=0.5, text/event-stream' },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(
      'data: {"message":"hi bo #1"}\n\ndata: {"message":"hi bo #2"}\n\ndata: {"message":"hi bo #3"}\n\nevent: end\ndata: {}\n\n',
    );
  });

  it('ends with a final error frame carrying the Kratos error when the handler fails mid-stream', async () => {
    const base = await start((s) => s.route(route, oneThenFail));
    const nd = await fetch(`${base}/count/cy`);
    expect(nd.status).toBe(200);
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { result: { message: 'hi cy' } },
      { error: { code: 409, reason: 'COUNT_CONFLICT', message: 'counted too far', metadata: { at: '1' } } },
    ]);
    const sse = await fetch(`${base}/count/cy`, { headers: { accept: 'text/event-stream' } });
    expect(await sse.text()).toBe(
      'data: {"message":"hi cy"}\n\nevent: error\ndata: {"code":409,"reason":"COUNT_CONFLICT","message":"counted too far","metadata":{"at":"1"}}\n\n',
    );
  });

  it('answers an error raised before the first message with its HTTP status and Kratos body', async () => {
    const base = await start((s) =>
      s.route(route, async function* (_ctx, req: { name: string }) {
        if (req.name === 'nobody') throw new KratosError(404, 'USER_NOT_FOUND', 'no such user');
        yield { message: 'never' };
      }),
    );
    const res = await fetch(`${base}/count/nobody`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'no such user',
      metadata: {},
    });
  });

  it('picks the framing by q-value, then by the most specific range', async () => {
    const base = await start((s) => s.route(route, three));
    const typeFor = async (accept: string) => {
      const res = await fetch(`${base}/count/q`, { headers: { accept } });
      await res.text();
      return res.headers.get('content-type');
    };
    expect(await typeFor('*/*, text/event-stream')).toBe('text/event-stream');
    expect(await typeFor('text/*')).toBe('text/event-stream');
    expect(await typeFor('text/event-stream;q=0.4, application/x-ndjson;q=0.8')).toBe('application/x-ndjson');
    expect(await typeFor('text/event-stream;q=0, */*;q=0.1')).toBe('application/x-ndjson');
  });

  it('answers 406 when Accept names neither format', async () => {
    const base = await start((s) => s.route(route, three));
    expect((await fetch(`${base}/count/dee`, { headers: { accept: 'text/event-stream;q=0' } })).status).toBe(
      406,
    );
    const res = await fetch(`${base}/count/dee`, { headers: { accept: 'application/xml' } });
    expect(res.status).toBe(406);
    expect(((await res.json()) as { reason: string }).reason).toBe('NOT_ACCEPTABLE');
  });

  // The deadlines below leave the handler ample time to write its first reply even on a loaded
  // machine (before it, a deadline is a plain 504 reply).
  it('ends the stream at the stream deadline with a 504 frame, and ends the handler', async () => {
    const ended = latch<unknown>();
    const base = await start(
      (s) =>
        s.route(route, async function* (ctx: Context) {
          try {
            yield { message: 'first' };
            // waits for the deadline (the signal), never for a timer of its own
            await new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
            );
          } finally {
            ended.open(ctx.signal.reason);
          }
        }),
      { streamTimeout: 1500 },
    );
    const res = await fetch(`${base}/count/eve`);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ result: { message: 'first' } });
    expect(lines[1].error.code).toBe(504);
    expect(((await ended.wait()) as Error).name).toBe('TimeoutError');
  });

  it("takes the route's own timeout option over the server's streamTimeout", async () => {
    const base = await start((s) =>
      s.route(
        route,
        async function* (ctx: Context) {
          yield { message: 'first' };
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        },
        { timeout: 1000 },
      ),
    );
    const lines = (await (await fetch(`${base}/count/ivy`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.result?.message ?? l.error.code)).toEqual(['first', 504]);
  });

  it('cancels the handler when the client goes away', async () => {
    const cancelled = latch<unknown>();
    const base = await start((s) =>
      s.route(route, async function* (ctx: Context) {
        try {
          for (let i = 0; ; i++) {
            yield { message: `tick ${i}` };
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          cancelled.open(ctx.signal.aborted ? ctx.signal.reason : 'not aborted');
        }
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${base}/count/fay`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', resolve);
      req.end();
      req.once('error', reject);
    });
    expect(((await cancelled.wait()) as Error).name).toBe('AbortError');
  });

  it('runs middleware around the whole stream: next settles after the last message or with the error', async () => {
    const seen: string[] = [];
    const watch: Middleware = (next) => async (ctx, req) => {
      try {
        const out = await next(ctx, req);
        seen.push(`ok ${ctx.operation}`);
        return out;
      } catch (err) {
        seen.push(`failed ${(err as KratosError).reason}`);
        throw err;
      }
    };
    let yielded = 0;
    const base = await start(
      (s) => {
        s.route(route, async function* () {
          for (let i = 0; i < 3; i++) {
            yield { message: String(i) };
            yielded++;
          }
        });
        s.route({ ...route, path: '/fail/{name}' }, oneThenFail);
      },
      { middleware: [watch] },
    );
    await (await fetch(`${base}/count/gus`)).text();
    expect(yielded).toBe(3);
    await (await fetch(`${base}/fail/gus`)).text();
    expect(seen).toEqual(['ok /t.S/Count', 'failed COUNT_CONFLICT']);
  });

  it('the client reads a stream as an async iterable, errors included', async () => {
    const base = await start((s) => {
      s.route(route, three);
      s.route({ ...route, path: '/fail/{name}' }, oneThenFail);
    });
    const client = createHttpClient({ endpoint: base });
    try {
      const got: string[] = [];
      for await (const r of client.stream<unknown, { message: string }>(route, { name: 'hal' }))
        got.push(r.message);
      expect(got).toEqual(['hi hal #1', 'hi hal #2', 'hi hal #3']);

      const partial: string[] = [];
      const err = await (async () => {
        try {
          for await (const r of client.stream<unknown, { message: string }>(
            { ...route, path: '/fail/{name}' },
            { name: 'ida' },
          ))
            partial.push(r.message);
        } catch (e) {
          return e;
        }
      })();
      expect(partial).toEqual(['hi ida']);
      expect(KratosError.is(err) && [err.code, err.reason, err.metadata]).toEqual([
        409,
        'COUNT_CONFLICT',
        { at: '1' },
      ]);
    } finally {
      await client.close();
    }
  });

  it('the client stops the server handler when the loop is left early', async () => {
    const cancelled = latch<unknown>();
    const base = await start((s) =>
      s.route(route, async function* (ctx: Context) {
        try {
          for (let i = 0; ; i++) {
            yield { message: `tick ${i}` };
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          cancelled.open(ctx.signal.reason);
        }
      }),
    );
    const client = createHttpClient({ endpoint: base });
    try {
      for await (const r of client.stream<unknown, { message: string }>(route, { name: 'jo' })) {
        expect(r.message).toBe('tick 0');
        break;
      }
      expect(((await cancelled.wait()) as Error).name).toBe('AbortError');
    } finally {
      await client.close();
    }
  });
});
