// One hello-world gRPC server, bare grpc-js or @kratos/grpc, same ServiceDefinition and
// protobuf-es serializers. Usage: node --conditions=kratos-source server.ts <bare|kratos> <port>
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { createGrpcServer } from '../../packages/grpc/src/index.ts';
import { GreeterService, type HelloRequest, helloReply } from '../../packages/grpc/src/testdata/greeter.ts';

// bench/ has no dependencies of its own: take grpc-js from @kratos/grpc's, the very copy it runs on.
const grpc = createRequire(new URL('../../packages/grpc/package.json', import.meta.url))(
  '@grpc/grpc-js',
) as typeof Grpc;
const { Server, ServerCredentials } = grpc;
type ServerUnaryCall<I, O> = Grpc.ServerUnaryCall<I, O>;
type sendUnaryData<O> = Grpc.sendUnaryData<O>;

const mode = process.argv[2] ?? 'kratos';
const port = Number(process.argv[3] ?? 0);
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

if (mode === 'bare') {
  const server = new Server();
  server.addService(GreeterService, {
    SayHello: (call: ServerUnaryCall<HelloRequest, unknown>, cb: sendUnaryData<unknown>) =>
      cb(null, helloReply({ message: `Hello ${call.request.name}` })),
  });
  server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) => {
    if (err) throw err;
    console.log(`bare listening ${p}`);
  });
} else {
  const server = createGrpcServer({ address: `127.0.0.1:${port}`, logger: { log() {} } });
  server.registerService(GreeterService, {
    SayHello: async (_ctx, req: HelloRequest) => helloReply({ message: `Hello ${req.name}` }),
  });
  await server.start();
  console.log(`kratos listening ${server.port}`);
}
