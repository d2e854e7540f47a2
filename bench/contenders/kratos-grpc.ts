// Contender: kratos-ts gRPC as a user writes it: createGrpcServer (health + reflection on, as by
// default) with recovery, the generated GreeterService of greeter.proto, protobuf-es messages.
// Variant `full` adds tracing (no exporter), metrics and access logging to a file; `full-sampled`
// the same with 1 % of successes logged and traced (not in the default run; see bench/README.md).
// Usage: node --conditions=kratos-source kratos-grpc.ts <port> [default|full|full-sampled] [logfile]
import { create } from '@bufbuild/protobuf';
import type { Middleware } from '@kratos/core';
import { createGrpcServer } from '@kratos/grpc';
import { recovery } from '@kratos/middleware';
import { registerGreeterGrpcServer } from '../.gen/helloworld/v1/greeter_grpc.ts';
import { HelloReplySchema } from '../.gen/helloworld/v1/greeter_pb.ts';
import { fullChain } from './kratos-full-chain.ts';

const port = Number(process.argv[2] ?? 9000);
const variant = process.argv[3] ?? 'default';
const middleware: Middleware[] =
  variant === 'full' || variant === 'full-sampled'
    ? await fullChain('grpc', process.argv[4] ?? '/dev/null', variant === 'full-sampled')
    : [recovery()];

const server = createGrpcServer({ address: `127.0.0.1:${port}`, middleware });
registerGreeterGrpcServer(server, {
  sayHello: async (_ctx, req) => create(HelloReplySchema, { message: `Hello ${req.name}` }),
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await server.start();
console.log(`listening ${port}`);
