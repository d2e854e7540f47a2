// Contender: kratos-ts HTTP as a user writes it: createHttpServer with the default chain of the
// kratos-layout (recovery), the generated route of greeter.proto, protobuf-es messages.
// Variant `full` adds tracing (no exporter), metrics and access logging to a file; `full-sampled`
// the same with 1 % of successes logged and traced (not in the default run; see bench/README.md).
// Usage: node --conditions=kratos-source kratos-http.ts <port> [default|full|full-sampled] [logfile]
import { create } from '@bufbuild/protobuf';
import type { Middleware } from '@kratos/core';
import { createHttpServer } from '@kratos/http';
import { recovery } from '@kratos/middleware';
import { GreeterSayHello0HttpRoute, registerGreeterHttpServer } from '../.gen/helloworld/v1/greeter_http.ts';
import { HelloReplySchema, type HelloRequest } from '../.gen/helloworld/v1/greeter_pb.ts';
import { fullChain } from './kratos-full-chain.ts';

const port = Number(process.argv[2] ?? 8000);
const variant = process.argv[3] ?? 'default';
const middleware: Middleware[] =
  variant === 'full' || variant === 'full-sampled'
    ? await fullChain('http', process.argv[4] ?? '/dev/null', variant === 'full-sampled')
    : [recovery()];

const server = createHttpServer({ address: `127.0.0.1:${port}`, middleware });
const sayHello = async (_ctx: unknown, req: HelloRequest) =>
  create(HelloReplySchema, { message: `Hello ${req.name}` });
registerGreeterHttpServer(server, { sayHello });
// The same RPC bound as `POST /helloworld` with the JSON body as the request (`body: "*"`): the
// REST route with a Connect unary call's shape, for the like-for-like row (kratos-http-post).
server.route({ ...GreeterSayHello0HttpRoute, method: 'POST', path: '/helloworld', body: '*' }, sayHello);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await server.start();
console.log(`listening ${port}`);
