import { type Context, KratosError, type Middleware } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createRpcServer } from './server.ts';
import {
  collect,
  fromArray,
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
  rpcFixture,
  sayHello,
  silent,
} from './testdata/harness.ts';

const { setup, cleanup, grpcClient } = rpcFixture();

describe('gRPC over node:http2 (grpc-js client)', () => {
  it('round-trips a unary call through the middleware chain with headers and metadata', async () => {
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
  });

  it('sends a thrown KratosError with its reason and metadata', async () => {
    const { client } = await setup({
      SayHello: async () => {
        throw new KratosError(404, 'USER_NOT_FOUND', 'user 7 not found', { metadata: { id: '7' } });
      },
    });
    const err = await client.unary(GreeterService.SayHello, helloRequest()).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect([err.code, err.reason, err.message, err.metadata]).toEqual([
      404,
      'USER_NOT_FOUND',
      'user 7 not found',
      { id: '7' },
    ]);
  });

  it('streams replies, requests and both ways', async () => {
    const { client } = await setup({
      SayHello: sayHello,
      StreamHellos: async function* (_ctx: Context, req: HelloRequest) {
        for (let i = 0; i < 3; i++) yield helloReply({ message: `${req.name} #${i}` });
      },
      CollectHellos: async (_ctx: Context, reqs: AsyncIterable<HelloRequest>) => {
        const names: string[] = [];
        for await (const r of reqs) names.push(r.name);
        return helloReply({ message: names.join(',') });
      },
      Chat: async function* (_ctx: Context, reqs: AsyncIterable<HelloRequest>) {
        for await (const r of reqs) yield helloReply({ message: `hi ${r.name}` });
      },
    });
    const streamed = await collect(
      client.serverStream(GreeterService.StreamHellos, helloRequest({ name: 'a' })),
    );
    expect(streamed.map((r) => r.message)).toEqual(['a #0', 'a #1', 'a #2']);
    const collected = await client.clientStream(
      GreeterService.CollectHellos,
      fromArray([helloRequest({ name: 'x' }), helloRequest({ name: 'y' })]),
    );
    expect(collected.message).toBe('x,y');
    const chat = await collect(
      client.bidiStream(
        GreeterService.Chat,
        fromArray([helloRequest({ name: 'p' }), helloRequest({ name: 'q' })]),
      ),
    );
    expect(chat.map((r) => r.message)).toEqual(['hi p', 'hi q']);
  });

  it("serves a service registered without its file through the methods' own serializers", async () => {
    const server = createRpcServer({ address: '127.0.0.1:0', logger: silent });
    server.registerService(GreeterService, {
      SayHello: sayHello,
      StreamHellos: async function* (_ctx: Context, req: HelloRequest) {
        for (let i = 0; i < 2; i++) yield helloReply({ message: `${req.name} #${i}` });
      },
    });
    await server.start();
    cleanup(() => server.stop());
    const client = grpcClient(server);
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'bare' }))).message).toBe(
      'Hello bare',
    );
    const streamed = await collect(
      client.serverStream(GreeterService.StreamHellos, helloRequest({ name: 'b' })),
    );
    expect(streamed.map((r) => r.message)).toEqual(['b #0', 'b #1']);
  });

  it('ends a call at the caller deadline with DEADLINE_EXCEEDED and cancels the handler context', async () => {
    let aborted: Promise<void> | undefined;
    const { client } = await setup({
      SayHello: async (ctx: Context) => {
        aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        await aborted;
        return helloReply();
      },
    });
    const err = await client.unary(GreeterService.SayHello, helloRequest(), { timeout: 50 }).catch((e) => e);
    expect(KratosError.is(err) && err.code).toBe(504);
    await aborted;
  });
});

describe('lifecycle', () => {
  it('lets a call in flight finish on a graceful stop, then refuses new ones', async () => {
    let release: (() => void) | undefined;
    let started: (() => void) | undefined;
    const inHandler = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { server, client } = await setup(
      {
        SayHello: async (_ctx: Context, req: HelloRequest) => {
          started!();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return helloReply({ message: `bye ${req.name}` });
        },
      },
      { timeout: 0 },
    );
    const pending = client.unary(GreeterService.SayHello, helloRequest({ name: 'x' }), { timeout: 0 });
    await inHandler;
    const stopped = server.stop();
    release!();
    expect((await pending).message).toBe('bye x');
    await stopped;
    const after = await client
      .unary(GreeterService.SayHello, helloRequest(), { timeout: 2000 })
      .catch((e) => e);
    expect(KratosError.is(after)).toBe(true);
  });
});
