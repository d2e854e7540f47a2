import {
  Client,
  credentials,
  Metadata as GrpcMetadata,
  type ServerUnaryCall,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { type Context, KratosError, type Middleware } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { type GrpcClient, type GrpcServer, grpcCallOf } from './index.ts';
import { GreeterService, type HelloRequest, helloReply, helloRequest } from './testdata/greeter.ts';
import { clientFor, collect, greeterFixture, sayHello, startGreeter, until } from './testdata/harness.ts';

const { cleanup, setup } = greeterFixture();

/** A raw grpc-js call with bytes in and out, for what a well-behaved client would never send. */
function rawUnary(server: GrpcServer, path: string, body: Buffer): Promise<{ error: ServiceError | null }> {
  const c = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
  cleanup(async () => c.close());
  return new Promise((resolve) => {
    c.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new GrpcMetadata(),
      {},
      (error) => resolve({ error: error ?? null }),
    );
  });
}

describe('unary', () => {
  it('round-trips a message through the middleware chain with headers and metadata', async () => {
    const seen: string[] = [];
    const mw: Middleware = (next) => async (ctx, req) => {
      seen.push(`${ctx.kind}:${ctx.side}:${ctx.operation}`);
      return next(ctx, req);
    };
    let serverCtx: Context | undefined;
    const { client } = await setup(
      {
        SayHello: async (ctx: Context, req: HelloRequest) => {
          serverCtx = ctx;
          ctx.replyHeader.set('x-served-by', 'greeter');
          return helloReply({ message: `Hello ${req.name}` });
        },
      },
      { middleware: [mw] },
    );
    const reply = await client.unary(GreeterService.SayHello, helloRequest({ name: 'kratos' }), {
      header: { 'x-md-global-user': 'alice', 'x-request-id': 'r1' },
    });
    expect(reply.message).toBe('Hello kratos');
    expect(seen).toEqual(['grpc:server:/helloworld.v1.Greeter/SayHello']);
    expect(serverCtx!.requestHeader.get('x-request-id')).toBe('r1');
    expect(serverCtx!.metadata.get('x-md-global-user')).toBe('alice');
    expect(serverCtx!.metadata.has('x-request-id')).toBe(false);
    expect(serverCtx!.deadline).toBeGreaterThan(Date.now() - 5000);
  });

  it('returns the reply header to the client context', async () => {
    let seen: string | undefined;
    const mw: Middleware = (next) => async (ctx, req) => {
      const r = await next(ctx, req);
      seen = ctx.replyHeader.get('x-served-by');
      return r;
    };
    const server = await startGreeter({
      SayHello: async (ctx: Context) => {
        ctx.replyHeader.set('x-served-by', 'greeter');
        return helloReply({ message: 'ok' });
      },
    });
    cleanup(() => server.stop());
    const withMw = clientFor(server, { middleware: [mw] });
    cleanup(() => withMw.close());
    await withMw.unary(GreeterService.SayHello, helloRequest({ name: 'x' }));
    expect(seen).toBe('greeter');
  });

  it('answers UNIMPLEMENTED for methods without a handler and unknown methods', async () => {
    const { client, server } = await setup({ SayHello: sayHello });
    const err = await collect(client.serverStream(GreeterService.StreamHellos, helloRequest())).catch(
      (e) => e,
    );
    expect(err.code).toBe(501);
    expect(err.message).toBe('method /helloworld.v1.Greeter/StreamHellos not implemented');
    const { error } = await rawUnary(server, '/helloworld.v1.Greeter/Nope', Buffer.alloc(0));
    expect(error?.code).toBe(status.UNIMPLEMENTED);
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'still' }))).message).toBe(
      'Hello still',
    );
  });
});

describe('registration', () => {
  it("finds handlers by the method's originalName too", async () => {
    const { client } = await setup({ sayHello } as never);
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'camel' }))).message).toBe(
      'Hello camel',
    );
  });

  it('refuses a service registered twice and a handler that is not a function', async () => {
    const { server } = await setup({ SayHello: sayHello });
    expect(() => server.registerService(GreeterService, { SayHello: sayHello })).toThrow(/registered twice/);
    const { createGrpcServer } = await import('./index.ts');
    const other = createGrpcServer({ address: '127.0.0.1:0' });
    expect(() => other.registerService(GreeterService, { SayHello: 'nope' as never })).toThrow(
      /not a function/,
    );
  });
});

describe('errors', () => {
  it('carries code, reason, message and metadata back as the same KratosError', async () => {
    const { client } = await setup({
      SayHello: async () => {
        throw new KratosError(404, 'USER_NOT_FOUND', 'user 7 not found', { metadata: { id: '7' } });
      },
    });
    const err = await client.unary(GreeterService.SayHello, helloRequest()).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect(err.code).toBe(404);
    expect(err.reason).toBe('USER_NOT_FOUND');
    expect(err.message).toBe('user 7 not found');
    expect(err.metadata).toEqual({ id: '7' });
  });

  it('turns anything else into 500 with its message and no stack', async () => {
    const { client } = await setup({
      SayHello: async () => {
        throw new TypeError('boom');
      },
    });
    const err = await client.unary(GreeterService.SayHello, helloRequest()).catch((e) => e);
    expect(err.code).toBe(500);
    expect(err.reason).toBe('');
    expect(err.message).toBe('boom');
    expect(err.message).not.toContain(' at ');
  });

  it('answers INVALID_ARGUMENT for a malformed request and keeps serving', async () => {
    const { client, server } = await setup({ SayHello: sayHello });
    // Field 1 (string) announcing 100 bytes with 1 present: truncated protobuf.
    const { error } = await rawUnary(
      server,
      '/helloworld.v1.Greeter/SayHello',
      Buffer.from([0x0a, 0x64, 0x41]),
    );
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/invalid request message/);
    const { fromServiceError } = await import('./status.ts');
    expect(fromServiceError(error).reason).toBe('CODEC');
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'ok' }))).message).toBe(
      'Hello ok',
    );
  });

  it('answers RESOURCE_EXHAUSTED for an oversized message and keeps serving', async () => {
    const { client } = await setup({ SayHello: sayHello }, { maxReceiveMessageSize: 1024 });
    const err = await client
      .unary(GreeterService.SayHello, helloRequest({ name: 'big', padding: 'x'.repeat(4096) }))
      .catch((e) => e);
    expect(err.code).toBe(429);
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'small' }))).message).toBe(
      'Hello small',
    );
  });
});

/** Calls SayHello, cancels it once the handler has started, and returns the client's error. */
async function callThenCancel(
  client: Awaited<ReturnType<typeof setup>>['client'],
  started: () => boolean,
): Promise<{ code: number }> {
  const ac = new AbortController();
  const p = client
    .unary(GreeterService.SayHello, helloRequest(), { signal: ac.signal, timeout: 10_000 })
    .catch((e) => e);
  await until(started);
  ac.abort();
  return p;
}

describe('deadlines and cancellation', () => {
  it('answers DEADLINE_EXCEEDED at the server timeout and aborts the handler signal', async () => {
    let signalReason: unknown;
    const { client } = await setup(
      {
        SayHello: (ctx: Context) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              signalReason = ctx.signal.reason;
              reject(ctx.signal.reason);
            });
          }),
      },
      { timeout: 50 },
    );
    const err = await client
      .unary(GreeterService.SayHello, helloRequest(), { timeout: 5000 })
      .catch((e) => e);
    expect(err.code).toBe(504);
    await until(() => signalReason !== undefined);
    expect((signalReason as Error).name).toBe('TimeoutError');
    expect(
      (await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' })).catch((e) => e)).code,
    ).toBe(504);
  });

  it("takes the caller's grpc-timeout when it is shorter than the server timeout", async () => {
    let deadline: number | undefined;
    const { client } = await setup(
      {
        SayHello: async (ctx: Context) => {
          deadline = ctx.deadline;
          return helloReply();
        },
      },
      { timeout: 600_000 },
    );
    // A caller's timeout long enough to reach the handler on a loaded machine (a 50 ms one could
    // expire first), and far below the server's: the handler's deadline is the caller's.
    const before = Date.now();
    await client.unary(GreeterService.SayHello, helloRequest(), { timeout: 20_000 });
    expect(deadline).toBeDefined();
    expect(deadline! - before).toBeLessThan(60_000);
  });

  it('a cancelled client call aborts the handler signal', async () => {
    let reason: unknown;
    let started = false;
    const { client } = await setup(
      {
        SayHello: (ctx: Context) =>
          new Promise((_, reject) => {
            started = true;
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason;
              reject(ctx.signal.reason);
            });
          }),
      },
      { timeout: 10_000 },
    );
    expect((await callThenCancel(client, () => started)).code).toBe(499);
    await until(() => reason !== undefined);
    expect((reason as Error).name).toBe('AbortError');
  });

  it('a unary handler that first looks after the caller cancelled sees its context aborted', async () => {
    let seen: { aborted: boolean; reason: string } | undefined;
    let started = false;
    const { client } = await setup(
      {
        SayHello: async (ctx: Context) => {
          started = true;
          await until(() => grpcCallOf(ctx)!.cancelled);
          seen = { aborted: ctx.signal.aborted, reason: (ctx.signal.reason as Error).name };
          return helloReply({ message: 'late' });
        },
      },
      { timeout: 10_000 },
    );
    expect((await callThenCancel(client, () => started)).code).toBe(499);
    await until(() => seen !== undefined);
    expect(seen).toEqual({ aborted: true, reason: 'AbortError' });
  });

  it('a context is not aborted by the stream closing after a normal reply', async () => {
    let saved: AbortSignal | undefined;
    let streamClosed = false;
    const { client } = await setup({
      SayHello: async (ctx: Context) => {
        // Reading the signal makes the context watch the call; a listener added after it runs
        // after the context's own, once grpc-js reports the stream closed.
        saved = ctx.signal;
        (grpcCallOf(ctx) as ServerUnaryCall<unknown, unknown>).once('cancelled', () => {
          streamClosed = true;
        });
        return helloReply({ message: 'ok' });
      },
    });
    await client.unary(GreeterService.SayHello, helloRequest());
    await until(() => streamClosed);
    expect(saved!.aborted).toBe(false);
  });

  it('a parent context deadline carries over to the outgoing call', async () => {
    const { client } = await setup(
      {
        SayHello: async (ctx: Context) => {
          await new Promise((r) => setTimeout(r, 2000));
          return helloReply({ message: String(ctx.deadline) });
        },
      },
      { timeout: 10_000 },
    );
    const { createContext } = await import('@kratos/core');
    const parent = createContext({ timeout: 50 });
    const err = await client.unary(GreeterService.SayHello, helloRequest(), { ctx: parent }).catch((e) => e);
    expect(err.code).toBe(504);
  });
});

describe('graceful stop', () => {
  it('lets an in-flight call finish and refuses new ones', async () => {
    let release!: () => void;
    let started = false;
    const server = await startGreeter(
      {
        SayHello: async (_ctx: Context, req: HelloRequest) => {
          started = true;
          await new Promise<void>((r) => {
            release = r;
          });
          return helloReply({ message: `bye ${req.name}` });
        },
      },
      { timeout: 10_000 },
    );
    const client: GrpcClient = clientFor(server, { timeout: 10_000 });
    cleanup(() => client.close());
    const inflight = client.unary(GreeterService.SayHello, helloRequest({ name: 'late' }));
    await until(() => started);
    const stopped = server.stop();
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect((await inflight).message).toBe('bye late');
    await stopped;
    const err = await client.unary(GreeterService.SayHello, helloRequest(), { timeout: 500 }).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect([503, 504]).toContain(err.code);
  });

  it('forces the rest closed when the stop signal aborts', async () => {
    let started = false;
    const server = await startGreeter(
      {
        SayHello: async (ctx: Context) => {
          started = true;
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
          return helloReply();
        },
      },
      { timeout: 10_000 },
    );
    const client = clientFor(server, { timeout: 10_000 });
    cleanup(() => client.close());
    const inflight = client.unary(GreeterService.SayHello, helloRequest()).catch((e) => e);
    await until(() => started);
    const ac = new AbortController();
    const stopped = server.stop({ signal: ac.signal });
    ac.abort();
    await stopped;
    const err = await inflight;
    expect(KratosError.is(err)).toBe(true);
  });
});
