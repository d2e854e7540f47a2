import type { Context, Logger } from '@kratos/core';
import { afterEach } from 'vitest';
import { createGrpcClient } from '../client.ts';
import { createGrpcServer } from '../server.ts';
import type {
  GrpcClient,
  GrpcClientOptions,
  GrpcMethodHandler,
  GrpcServer,
  GrpcServerOptions,
} from '../types.ts';
import { file_helloworld_v1_greeter, GreeterService, type HelloRequest, helloReply } from './greeter.ts';

export const silent: Logger = { log() {} };

/** A started server on a free loopback port with the Greeter registered. */
export async function startGreeter(
  handlers: Record<string, GrpcMethodHandler>,
  options: GrpcServerOptions = {},
): Promise<GrpcServer> {
  const server = createGrpcServer({ address: '127.0.0.1:0', logger: silent, ...options });
  server.registerService(GreeterService, handlers, { file: file_helloworld_v1_greeter });
  await server.start();
  return server;
}

export function clientFor(server: GrpcServer, options: Partial<GrpcClientOptions> = {}): GrpcClient {
  return createGrpcClient({ endpoint: `direct:///127.0.0.1:${server.port}`, logger: silent, ...options });
}

/** Resolves once `fn` returns true, polling every 5 ms, at most `tries` times. */
export async function until(fn: () => boolean, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not met');
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function* fromArray<T>(items: T[]): AsyncIterable<T> {
  for (const x of items) yield x;
}

/** The Greeter's SayHello as most tests want it: `Hello <name>`. */
export const sayHello = async (_ctx: Context, req: HelloRequest) =>
  helloReply({ message: `Hello ${req.name}` });

/**
 * What a test file's tests start, stopped after each test (call once, at the top of the file):
 * `setup` starts a Greeter server and a client for it; `cleanup` adds anything else to stop.
 */
export function greeterFixture() {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
  });
  const cleanup = (stop: () => Promise<void>) => {
    stops.push(stop);
  };
  const server = async (
    handlers: Parameters<typeof startGreeter>[0] = { SayHello: sayHello },
    options: GrpcServerOptions = {},
  ) => {
    const started = await startGreeter(handlers, options);
    cleanup(() => started.stop());
    return started;
  };
  return {
    cleanup,
    /** A started server (stopped after the test). */
    server,
    /** A started server and a client for it (both closed after the test). */
    async setup(handlers: Parameters<typeof startGreeter>[0], options: GrpcServerOptions = {}) {
      const started = await server(handlers, options);
      const client = clientFor(started);
      cleanup(() => client.close());
      return { server: started, client };
    },
  };
}
