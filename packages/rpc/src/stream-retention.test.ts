import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Context } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { type RpcRequestInfo, rpcRequestOf } from './native.ts';
import { GreeterService, helloReply, helloRequest, rpcFixture } from './testdata/harness.ts';

// node:http2 streams are collected only by full GCs (the young-generation collector keeps them),
// so whatever a stream's listeners still reach after its call is promoted with it. A finished
// call must not be reachable from its stream.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { setup } = rpcFixture();

async function collected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target is kept until the end of the job that made or read it: collect in later ones.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe('a finished call and its node:http2 stream', () => {
  it('the call (its context) is not reachable from the stream once the reply went out', async () => {
    let ctxRef: WeakRef<Context> | undefined;
    // The request info is the call's exchange: it holds the server-side stream, as node:http2's
    // session does until a full GC.
    let request: RpcRequestInfo | undefined;
    const { client } = await setup({
      SayHello: async (ctx: Context) => {
        ctxRef = new WeakRef(ctx);
        request = rpcRequestOf(ctx);
        return helloReply({ message: 'hi' });
      },
    });
    const reply = await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' }));
    expect(reply.message).toBe('hi');
    expect(request?.http2).toBe(true);
    expect(await collected(ctxRef!)).toBe(true);
    // The stream is still held here: what was collected was unreachable from it.
    expect(request?.path).toBe('/helloworld.v1.Greeter/SayHello');
  });
});
