// Shared test setup: a Greeter (the same one @kratos/grpc's tests use) on a started RpcServer,
// and clients for it; everything started is stopped after each test.

import type { Context, Logger } from '@kratos/core';
import { createGrpcClient, type GrpcClient, type GrpcMethodHandler } from '@kratos/grpc';
import { afterEach } from 'vitest';
import {
  file_helloworld_v1_greeter,
  GreeterService,
  type HelloRequest,
  helloReply,
} from '../../../grpc/src/testdata/greeter.ts';
import { createRpcServer } from '../server.ts';
import type { RpcServer, RpcServerOptions } from '../types.ts';

export {
  type HelloReply,
  HelloReplySchema,
  type HelloRequest,
  HelloRequestSchema,
  helloRequest,
} from '../../../grpc/src/testdata/greeter.ts';
export { GreeterService, helloReply };

export const silent: Logger = { log() {} };

export const sayHello = async (_ctx: Context, req: HelloRequest) =>
  helloReply({ message: `Hello ${req.name}` });

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function* fromArray<T>(items: T[]): AsyncIterable<T> {
  for (const x of items) yield x;
}

/** Starts servers and clients for a test file; all are stopped after each test. */
export function rpcFixture() {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
  });
  const cleanup = (stop: () => Promise<void>) => {
    stops.push(stop);
  };
  const server = async (
    handlers: Record<string, GrpcMethodHandler> = { SayHello: sayHello },
    options: RpcServerOptions = {},
  ): Promise<RpcServer> => {
    const s = createRpcServer({ address: '127.0.0.1:0', logger: silent, ...options });
    s.registerService(GreeterService, handlers, { file: file_helloworld_v1_greeter });
    await s.start();
    cleanup(() => s.stop());
    return s;
  };
  const grpcClient = (s: RpcServer): GrpcClient => {
    const c = createGrpcClient({ endpoint: `direct:///127.0.0.1:${s.port}`, logger: silent });
    cleanup(() => c.close());
    return c;
  };
  return {
    cleanup,
    server,
    grpcClient,
    /** A server and a grpc-js client for it. */
    async setup(handlers: Record<string, GrpcMethodHandler>, options: RpcServerOptions = {}) {
      const s = await server(handlers, options);
      return { server: s, client: grpcClient(s) };
    },
  };
}
