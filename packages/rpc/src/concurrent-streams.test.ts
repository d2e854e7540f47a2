// The maxConcurrentStreams option: what the server advertises, and that a client past it waits.
import { connect } from 'node:http2';
import type { Context } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import {
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
  rpcFixture,
} from './testdata/harness.ts';

const { server, grpcClient } = rpcFixture();

/** The SETTINGS_MAX_CONCURRENT_STREAMS an HTTP/2 client receives from the server on `port`. */
async function advertised(port: number): Promise<number | undefined> {
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    return settings.maxConcurrentStreams;
  } finally {
    session.close();
  }
}

describe('maxConcurrentStreams', () => {
  it('advertises 250 by default, as createGrpcServer, or the option', async () => {
    expect(await advertised((await server()).port)).toBe(250);
    expect(await advertised((await server(undefined, { maxConcurrentStreams: 7 })).port)).toBe(7);
  });

  it('a gRPC client past the limit queues its calls, and every call is answered', async () => {
    const waiting: Array<() => void> = [];
    // Resolves once `n` calls are held in the handler (checked whenever one arrives).
    let watch: { n: number; resolve: () => void } | undefined;
    const held = (n: number) =>
      new Promise<void>((resolve) => {
        if (waiting.length >= n) resolve();
        else watch = { n, resolve };
      });
    let running = 0;
    let most = 0;
    const s = await server(
      {
        SayHello: async (_ctx: Context, req: HelloRequest) => {
          running++;
          most = Math.max(most, running);
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (watch && waiting.length >= watch.n) watch.resolve();
          });
          running--;
          return helloReply({ message: req.name });
        },
      },
      { maxConcurrentStreams: 2 },
    );
    const client = grpcClient(s);
    const calls = ['a', 'b', 'c', 'd', 'e'].map((name) =>
      client.unary(GreeterService.SayHello, helloRequest({ name })),
    );
    // Release one call whenever two are held, once the loop has read what else had come (an
    // unlimited server reads all five from the first segment): with the limit, never more than two.
    for (let released = 0; released < 5; released++) {
      await held(Math.min(2, 5 - released));
      await new Promise((resolve) => setImmediate(resolve));
      waiting.shift()!();
    }
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.message).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
  });
});
