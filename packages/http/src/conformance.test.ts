// The transport conformance suite of @kratos/testkit against createHttpServer and its client.
import {
  describeTransportConformance,
  replyHeaderCapture,
} from '../../testkit/src/transport-conformance/index.ts';
import { createHttpClient, createHttpServer, type HttpRouteDesc } from './index.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';

const unary: HttpRouteDesc = {
  method: 'POST',
  path: '/conformance/unary',
  operation: '/conformance.v1.Conformance/Unary',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  body: '*',
};

const stream: HttpRouteDesc = {
  method: 'GET',
  path: '/conformance/stream/{name}',
  operation: '/conformance.v1.Conformance/Stream',
  input: HelloRequestSchema,
  output: HelloReplySchema,
  serverStreaming: true,
};

type Hello = { name: string };
type Reply = { message: string };

describeTransportConformance({
  name: '@kratos/http',
  features: { streaming: true },
  async start(handlers) {
    const server = createHttpServer({ address: '127.0.0.1:0', logger: { log() {} } });
    server.route<Hello, Reply>(unary, async (ctx, req) => ({ message: await handlers.unary(ctx, req.name) }));
    server.route<Hello, Reply>(stream, async function* (ctx, req) {
      for await (const m of handlers.stream(ctx, req.name)) yield { message: m };
    });
    await server.start();
    const capture = replyHeaderCapture();
    const client = createHttpClient({
      endpoint: `http://127.0.0.1:${server.address()!.port}`,
      middleware: [capture.middleware],
      timeout: 30_000,
    });
    return {
      client: {
        async unary(name, options = {}) {
          const req = { name };
          const reply = await client.invoke<Hello, Reply>(unary, req, options);
          return { message: reply.message, replyHeader: capture.of(req) };
        },
        async *stream(name, options = {}) {
          for await (const r of client.stream<Hello, Reply>(stream, { name }, options)) yield r.message;
        },
      },
      stop: (options) => server.stop(options),
      close: () => client.close(),
    };
  },
});
