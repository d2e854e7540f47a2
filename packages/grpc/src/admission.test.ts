import { Client, credentials, Metadata as GrpcMetadata, type ServiceError, status } from '@grpc/grpc-js';
import { type Context, KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { type AdmissionLimiter, type GrpcServer, healthDefinition } from './index.ts';
import { GreeterService, type HelloRequest, helloReply, helloRequest } from './testdata/greeter.ts';
import { clientFor, fromArray, greeterFixture } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

/** Admits while `open`; counts admissions and the done calls. */
function gate() {
  const g = { open: true, asked: 0, admitted: 0, done: 0 };
  const limiter: AdmissionLimiter = {
    allow() {
      g.asked++;
      if (!g.open) return undefined;
      g.admitted++;
      return () => {
        g.done++;
      };
    },
  };
  return { g, limiter };
}

/** A call whose request bytes are not a HelloRequest (a field tag with wire type 7): undecodable. */
function garbageCall(server: GrpcServer): Promise<ServiceError> {
  const c = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
  cleanup(async () => c.close());
  return new Promise((resolve, reject) => {
    c.makeUnaryRequest(
      GreeterService.SayHello.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0x0f, 0xff, 0xff]),
      new GrpcMetadata(),
      {},
      (error) => (error ? resolve(error) : reject(new Error('the garbage call succeeded'))),
    );
  });
}

describe('createGrpcServer: early admission (limiter option)', () => {
  it('sheds with RESOURCE_EXHAUSTED (RATELIMIT) before the message is decoded or the chain runs; never sheds health checks', async () => {
    const { g, limiter } = gate();
    let handled = 0;
    let chain = 0;
    const server = await started(
      {
        SayHello: async (_ctx: Context, req: HelloRequest) => {
          handled++;
          return helloReply({ message: `Hello ${req.name}` });
        },
      },
      {
        limiter,
        middleware: [
          (next) => (ctx, req) => {
            chain++;
            return next(ctx, req);
          },
        ],
      },
    );
    const client = clientFor(server);
    cleanup(() => client.close());
    expect((await client.unary(GreeterService.SayHello, helloRequest({ name: 'a' }))).message).toBe(
      'Hello a',
    );
    // Admitted, an undecodable message is the decoder's error.
    expect((await garbageCall(server)).code).not.toBe(status.RESOURCE_EXHAUSTED);

    g.open = false;
    const err = await client.unary(GreeterService.SayHello, helloRequest({ name: 'b' })).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect([err.code, err.reason, err.message]).toEqual([
      429,
      'RATELIMIT',
      'service unavailable due to rate limit exceeded',
    ]);
    // Shed, the same message is never decoded.
    const shed = await garbageCall(server);
    expect([shed.code, shed.details]).toEqual([
      status.RESOURCE_EXHAUSTED,
      'service unavailable due to rate limit exceeded',
    ]);
    expect(await client.unary(healthDefinition.Check, { service: '' })).toEqual({ status: 'SERVING' });

    // Admitted: both calls entered the chain (the garbage one failed decoding there); shed: none.
    expect([handled, chain]).toEqual([1, 2]);
    expect(g.asked).toBe(4); // the health check is not asked
    expect(g.admitted).toBe(2);
    expect(g.done).toBe(2);
  });

  it('asks for a client-streaming call at its headers: shed, the handler never runs', async () => {
    const { g, limiter } = gate();
    let handled = 0;
    const server = await started(
      {
        CollectHellos: async (_ctx: Context, reqs: AsyncIterable<HelloRequest>) => {
          handled++;
          const names: string[] = [];
          for await (const r of reqs) names.push(r.name);
          return helloReply({ message: names.join(',') });
        },
      },
      { limiter },
    );
    const client = clientFor(server);
    cleanup(() => client.close());
    const reqs = () => fromArray(['x', 'y'].map((name) => helloRequest({ name })));
    expect((await client.clientStream(GreeterService.CollectHellos, reqs())).message).toBe('x,y');
    g.open = false;
    const err = await client.clientStream(GreeterService.CollectHellos, reqs()).catch((e) => e);
    expect([err.code, err.reason]).toEqual([429, 'RATELIMIT']);
    expect([handled, g.asked, g.admitted, g.done]).toEqual([1, 2, 1, 1]);
  });
});
