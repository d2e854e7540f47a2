import type { Context, Middleware } from '@kratos/core';
import { KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import {
  GreeterService,
  type HelloReply,
  type HelloRequest,
  helloReply,
  helloRequest,
} from './testdata/greeter.ts';
import { collect, fromArray, greeterFixture, until } from './testdata/harness.ts';

const { setup } = greeterFixture();

describe('streaming', () => {
  it('server streaming', async () => {
    const { client } = await setup({
      StreamHellos: async function* (_ctx: Context, req: HelloRequest) {
        for (let i = 0; i < 3; i++) yield helloReply({ message: `${req.name} ${i}` });
      },
    });
    const replies = await collect(
      client.serverStream(GreeterService.StreamHellos, helloRequest({ name: 'n' })),
    );
    expect(replies.map((r) => r.message)).toEqual(['n 0', 'n 1', 'n 2']);
  });

  it('client streaming', async () => {
    const { client } = await setup({
      CollectHellos: async (_ctx: Context, reqs: AsyncIterable<HelloRequest>) => {
        const names: string[] = [];
        for await (const r of reqs) names.push(r.name);
        return helloReply({ message: names.join(',') });
      },
    });
    const reply = await client.clientStream(
      GreeterService.CollectHellos,
      fromArray(['a', 'b', 'c'].map((name) => helloRequest({ name }))),
    );
    expect(reply.message).toBe('a,b,c');
  });

  it('bidi streaming', async () => {
    const { client } = await setup({
      Chat: async function* (_ctx: Context, reqs: AsyncIterable<HelloRequest>) {
        for await (const r of reqs) yield helloReply({ message: `echo ${r.name}` });
      },
    });
    const replies = await collect(
      client.bidiStream(GreeterService.Chat, fromArray(['x', 'y'].map((name) => helloRequest({ name })))),
    );
    expect(replies.map((r) => r.message)).toEqual(['echo x', 'echo y']);
  });

  it('ends a bidi call whose handler stops reading requests early', async () => {
    const { client } = await setup({
      Chat: async function* (_ctx: Context, reqs: AsyncIterable<HelloRequest>) {
        for await (const r of reqs) {
          yield helloReply({ message: `first ${r.name}` });
          break;
        }
        yield helloReply({ message: 'bye' });
      },
    });
    const replies = await collect(
      client.bidiStream(GreeterService.Chat, fromArray(['x', 'y'].map((name) => helloRequest({ name })))),
    );
    expect(replies.map((r) => r.message)).toEqual(['first x', 'bye']);
  });

  it('runs stream middleware around the whole stream and carries stream errors as Kratos errors', async () => {
    const events: string[] = [];
    const mw: Middleware = (next) => async (ctx, req) => {
      events.push(`start ${ctx.operation}`);
      try {
        return await next(ctx, req);
      } finally {
        events.push('end');
      }
    };
    const { client } = await setup(
      {
        StreamHellos: async function* () {
          yield helloReply({ message: 'one' });
          events.push('after one');
          throw new KratosError(409, 'STREAM_CONFLICT', 'conflict mid-stream', { metadata: { at: '1' } });
        },
      },
      { streamMiddleware: [mw] },
    );
    const got: HelloReply[] = [];
    const err = await (async () => {
      for await (const r of client.serverStream(GreeterService.StreamHellos, helloRequest())) got.push(r);
    })().catch((e) => e);
    expect(got.map((r) => r.message)).toEqual(['one']);
    expect(err).toBeInstanceOf(KratosError);
    expect(err.code).toBe(409);
    expect(err.reason).toBe('STREAM_CONFLICT');
    expect(err.metadata).toEqual({ at: '1' });
    expect(events).toEqual(['start /helloworld.v1.Greeter/StreamHellos', 'after one', 'end']);
  });

  it('a client stream whose request iterable throws fails with that error', async () => {
    let serverSaw: unknown;
    let received = 0;
    const { client } = await setup({
      CollectHellos: async (_ctx: Context, reqs: AsyncIterable<HelloRequest>) => {
        try {
          for await (const _ of reqs) received++;
        } catch (e) {
          serverSaw = e;
          throw e;
        }
        return helloReply();
      },
    });
    async function* broken() {
      yield helloRequest({ name: 'a' });
      await until(() => received === 1);
      throw new KratosError(400, 'BROKEN_INPUT', 'producer failed');
    }
    const err = await client.clientStream(GreeterService.CollectHellos, broken()).catch((e) => e);
    expect(err.reason).toBe('BROKEN_INPUT');
    // The call is reset; grpc-js may show the server the end of the request stream before the
    // cancellation, so the handler either sees an AbortError or a (cut-off) end, never the reply's fate.
    expect(serverSaw === undefined || (serverSaw as Error).name === 'AbortError').toBe(true);
  });

  it('a client that stops reading cancels the server stream', async () => {
    let aborted = false;
    const { client } = await setup({
      StreamHellos: async function* (ctx: Context) {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
        });
        for (let i = 0; i < 1000 && !ctx.signal.aborted; i++) {
          yield helloReply({ message: String(i) });
          await new Promise((r) => setTimeout(r, 2));
        }
      },
    });
    for await (const r of client.serverStream(GreeterService.StreamHellos, helloRequest())) {
      if (r.message === '2') break;
    }
    await until(() => aborted);
  });
});
