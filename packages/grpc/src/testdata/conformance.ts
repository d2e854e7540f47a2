// testkit's transport conformance subject for a server that is registered to like @kratos/grpc's
// (createGrpcServer, and @kratos/rpc's createRpcServer): the Greeter's SayHello and StreamHellos
// serve the suite's handlers, called through @kratos/grpc's client.
import type { Context, Server } from '@kratos/core';
import {
  replyHeaderCapture,
  type TransportSubject,
} from '../../../testkit/src/transport-conformance/index.ts';
import { createGrpcClient } from '../client.ts';
import type { GrpcMethodHandler, RegisterServiceOptions } from '../types.ts';
import {
  file_helloworld_v1_greeter,
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
} from './greeter.ts';

/** What the subject uses of the server. */
export interface GreeterHost extends Server {
  registerService(
    definition: typeof GreeterService,
    handlers: Record<string, GrpcMethodHandler>,
    options?: RegisterServiceOptions,
  ): void;
  readonly port: number;
}

/** A conformance subject over servers `makeServer` makes (listening on 127.0.0.1:0). */
export function greeterConformanceSubject(name: string, makeServer: () => GreeterHost): TransportSubject {
  return {
    name,
    features: { streaming: true, deadlinePropagation: true },
    async start(handlers) {
      const server = makeServer();
      server.registerService(
        GreeterService,
        {
          SayHello: async (ctx: Context, req: HelloRequest) =>
            helloReply({ message: await handlers.unary(ctx, req.name) }),
          StreamHellos: async function* (ctx: Context, req: HelloRequest) {
            for await (const m of handlers.stream(ctx, req.name)) yield helloReply({ message: m });
          },
        },
        { file: file_helloworld_v1_greeter },
      );
      await server.start();
      const capture = replyHeaderCapture();
      const client = createGrpcClient({
        endpoint: `direct:///127.0.0.1:${server.port}`,
        logger: { log() {} },
        middleware: [capture.middleware],
        timeout: 30_000,
      });
      return {
        client: {
          async unary(name, options = {}) {
            const req = helloRequest({ name });
            const reply = await client.unary(GreeterService.SayHello, req, options);
            return { message: reply.message, replyHeader: capture.of(req) };
          },
          async *stream(name, options = {}) {
            for await (const r of client.serverStream(
              GreeterService.StreamHellos,
              helloRequest({ name }),
              options,
            ))
              yield r.message;
          },
        },
        stop: (options) => server.stop(options),
        close: () => client.close(),
      };
    },
  };
}
