// The `limiter` option: early admission before the middleware chain, on every protocol.
import * as grpc from '@grpc/grpc-js';
import { type Context, KratosError, type Middleware } from '@kratos/core';
import type { AdmissionLimiter } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';
import {
  collect,
  fromArray,
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
  rpcFixture,
  sayHello,
} from './testdata/harness.ts';

const { setup, cleanup } = rpcFixture();

/** Admits while `open` says so; counts what it was asked and told. */
function gate() {
  const g = { open: true, asked: 0, done: 0 };
  const limiter: AdmissionLimiter = {
    allow() {
      g.asked++;
      return g.open
        ? () => {
            g.done++;
          }
        : undefined;
    },
  };
  return { g, limiter };
}

const handlers = {
  SayHello: sayHello,
  StreamHellos: async function* (_ctx: Context, req: HelloRequest) {
    yield helloReply({ message: req.name });
  },
  CollectHellos: async (_ctx: Context, reqs: AsyncIterable<HelloRequest>) => {
    let n = 0;
    for await (const _ of reqs) n++;
    return helloReply({ message: String(n) });
  },
  Chat: async function* (_ctx: Context, reqs: AsyncIterable<HelloRequest>) {
    for await (const r of reqs) yield helloReply({ message: r.name });
  },
};

describe('early admission (limiter option)', () => {
  it('sheds a call before the chain with RESOURCE_EXHAUSTED and reason RATELIMIT, on gRPC and Connect', async () => {
    const { g, limiter } = gate();
    const seen: string[] = [];
    const mw: Middleware = (next) => async (ctx, req) => {
      seen.push(ctx.operation);
      return next(ctx, req);
    };
    const { server, client } = await setup(handlers, { limiter, middleware: [mw] });
    g.open = false;
    const err = await client.unary(GreeterService.SayHello, helloRequest({ name: 'a' })).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect([err.code, err.reason, err.message]).toEqual([
      429,
      'RATELIMIT',
      'service unavailable due to rate limit exceeded',
    ]);
    const res = await fetch(`http://127.0.0.1:${server.port}/helloworld.v1.Greeter/SayHello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"b"}',
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { code: string; details: { debug: { reason: string } }[] };
    expect([body.code, body.details[0]!.debug.reason]).toEqual(['resource_exhausted', 'RATELIMIT']);
    // A stream with requests is asked at its start and shed whole.
    const bidi = await collect(
      client.bidiStream(GreeterService.Chat, fromArray([helloRequest({ name: 'c' })])),
    ).catch((e) => e);
    expect(KratosError.is(bidi) && bidi.reason).toBe('RATELIMIT');
    expect(seen).toEqual([]);
    expect([g.asked, g.done]).toEqual([3, 0]);
  });

  it('reports every admitted call once when it ends, whatever its kind or outcome', async () => {
    const { g, limiter } = gate();
    const { client } = await setup(
      {
        ...handlers,
        SayHello: async (_ctx: Context, req: HelloRequest) => {
          if (req.name === 'fail') throw new KratosError(400, 'BAD', 'bad');
          return helloReply({ message: req.name });
        },
      },
      { limiter },
    );
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'ok' }))).message).toBe('ok');
    const failed = await client
      .unary(GreeterService.SayHello, helloRequest({ name: 'fail' }))
      .catch((e) => e);
    expect(KratosError.is(failed) && failed.reason).toBe('BAD');
    expect(
      await collect(client.serverStream(GreeterService.StreamHellos, helloRequest({ name: 's' }))),
    ).toHaveLength(1);
    const collected = await client.clientStream(
      GreeterService.CollectHellos,
      fromArray([helloRequest(), helloRequest()]),
    );
    expect(collected.message).toBe('2');
    expect(
      await collect(client.bidiStream(GreeterService.Chat, fromArray([helloRequest({ name: 'b' })]))),
    ).toHaveLength(1);
    expect([g.asked, g.done]).toEqual([5, 5]);
  });

  it('never sheds a health check', async () => {
    const { g, limiter } = gate();
    const { server } = await setup(handlers, { limiter });
    g.open = false;
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    cleanup(async () => raw.close());
    const reply = await new Promise<Buffer>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (err, value) => (err ? reject(err) : resolve(value!)),
      ),
    );
    expect([...reply]).toEqual([0x08, 0x01]); // status: SERVING
    expect(g.asked).toBe(0);
  });
});
