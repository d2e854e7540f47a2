// Contender: @kratos/rpc (gRPC, gRPC-Web and Connect on node:http2) as a user writes it: the same
// generated registration as kratos-grpc, recovery as the default chain, health + reflection on.
// The same process serves the gRPC row (kratos-rpc) and the Connect JSON row (kratos-rpc-connect).
// Usage: node --conditions=kratos-source kratos-rpc.ts <port>
import { create } from '@bufbuild/protobuf';
import { recovery } from '@kratos/middleware';
import { createRpcServer } from '@kratos/rpc';
import { registerGreeterGrpcServer } from '../.gen/helloworld/v1/greeter_grpc.ts';
import { HelloReplySchema } from '../.gen/helloworld/v1/greeter_pb.ts';

const port = Number(process.argv[2] ?? 9000);
const server = createRpcServer({ address: `127.0.0.1:${port}`, middleware: [recovery()] });
registerGreeterGrpcServer(server, {
  sayHello: async (_ctx, req) => create(HelloReplySchema, { message: `Hello ${req.name}` }),
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
await server.start();
console.log(`listening ${port}`);
