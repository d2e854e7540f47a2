// The transport conformance suite of @kratos/testkit against createGrpcServer and its client.
import type { Context, Metadata, Middleware } from '@kratos/core';
import { describeTransportConformance } from '../../testkit/src/transport-conformance/index.ts';
import { createGrpcClient, createGrpcServer } from './index.ts';
import {
  file_helloworld_v1_greeter,
  GreeterService,
  type HelloRequest,
  helloReply,
  helloRequest,
} from './testdata/greeter.ts';

describeTransportConformance({
  name: '@kratos/grpc',
  features: { streaming: true, deadlinePropagation: true },
  async start(handlers) {
    const server = createGrpcServer({ address: '127.0.0.1:0', logger: { log() {} } });
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
    // The reply headers of each call, by request object (a client middleware sees both).
    const replies = new WeakMap<object, Metadata>();
    const capture: Middleware = (next) => async (ctx, req) => {
      try {
        return await next(ctx, req);
      } finally {
        replies.set(req as object, ctx.replyHeader);
      }
    };
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:${server.port}`,
      logger: { log() {} },
      middleware: [capture],
      timeout: 30_000,
    });
    return {
      client: {
        async unary(name, options = {}) {
          const req = helloRequest({ name });
          const reply = await client.unary(GreeterService.SayHello, req, options);
          return { message: reply.message, replyHeader: replies.get(req)?.toRecord() ?? {} };
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
});
