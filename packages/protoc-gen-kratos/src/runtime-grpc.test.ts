import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { create, type DescMessage } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInProcess } from '../testdata/generate-in-process.ts';
import { packageDir } from '../testdata/request.ts';

// Generated code served by the real @kratos/grpc server and called through the generated client.
const outDir = join(packageDir, '.generated', `runtime-grpc-${process.pid}`);

type Reply = { message: string };
type Req = { name: string; times: number };

let gen: {
  grpc: Record<string, unknown>;
  pb: Record<string, DescMessage>;
  errors: Record<string, (...args: unknown[]) => unknown>;
};

beforeAll(async () => {
  generateInProcess(outDir);
  gen = {
    grpc: await import(join(outDir, 'helloworld/v1/greeter_grpc.ts')),
    pb: await import(join(outDir, 'helloworld/v1/greeter_pb.ts')),
    errors: await import(join(outDir, 'helloworld/v1/error_reason_errors.ts')),
  };
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function* names(...list: string[]) {
  for (const name of list) yield { name };
}

describe('generated gRPC code on a real server', () => {
  it('serves unary, server, client and bidi streaming methods and carries generated errors', async () => {
    const { errorUserNotFound, isUserNotFound } = gen.errors;
    const reply = (message: string) => create(gen.pb.HelloReplySchema!, { message }) as unknown as Reply;
    const impl = {
      async sayHello(_ctx: Context, req: Req): Promise<Reply> {
        if (req.name === 'nobody') throw errorUserNotFound!('user %s not found', req.name);
        return reply(`Hello ${req.name}`);
      },
      async *streamHellos(_ctx: Context, req: Req): AsyncIterable<Reply> {
        for (let i = 0; i < req.times; i++) yield reply(`Hello ${req.name} #${i}`);
      },
      async collectHellos(_ctx: Context, reqs: AsyncIterable<Req>): Promise<Reply> {
        const all: string[] = [];
        for await (const r of reqs) all.push(r.name);
        return reply(`Hello ${all.join(', ')}`);
      },
      async *chat(_ctx: Context, reqs: AsyncIterable<Req>): AsyncIterable<Reply> {
        for await (const r of reqs) yield reply(`Hi ${r.name}`);
      },
      async ping() {
        return create(gen.pb.PingReplySchema!, { unixNanos: 42n });
      },
    };
    const server = createGrpcServer({ address: '127.0.0.1:0' });
    (gen.grpc.registerGreeterGrpcServer as (s: unknown, i: unknown) => void)(server, impl);
    await server.start();
    const client = createGrpcClient({ endpoint: `direct:///127.0.0.1:${server.port}` });
    const GreeterGrpcClient = gen.grpc.GreeterGrpcClient as new (c: unknown) => Record<string, Function>;
    const greeter = new GreeterGrpcClient(client);
    try {
      const hello = (await greeter.sayHello!({ name: 'kratos' })) as Reply;
      expect(hello.message).toBe('Hello kratos');

      const streamed: string[] = [];
      for await (const r of greeter.streamHellos!({ name: 'a', times: 3 }) as AsyncIterable<Reply>) {
        streamed.push(r.message);
      }
      expect(streamed).toEqual(['Hello a #0', 'Hello a #1', 'Hello a #2']);

      const collected = (await greeter.collectHellos!(names('x', 'y', 'z'))) as Reply;
      expect(collected.message).toBe('Hello x, y, z');

      const chatted: string[] = [];
      for await (const r of greeter.chat!(names('p', 'q')) as AsyncIterable<Reply>) chatted.push(r.message);
      expect(chatted).toEqual(['Hi p', 'Hi q']);

      expect(((await greeter.ping!({})) as { unixNanos: bigint }).unixNanos).toBe(42n);

      const err = await (greeter.sayHello!({ name: 'nobody' }) as Promise<Reply>).catch((e: unknown) => e);
      expect(isUserNotFound!(err)).toBe(true);
      expect((err as Error).message).toBe('user nobody not found');
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
