// Contender: bare @grpc/grpc-js, the baseline of @kratos/grpc: the same generated ServiceDefinition
// (protobuf-es serializers) with a callback handler and nothing else. Usage: node grpc-js.ts <port>
import { create } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { GreeterService } from '../.gen/helloworld/v1/greeter_grpc.ts';
import { type HelloReply, HelloReplySchema, type HelloRequest } from '../.gen/helloworld/v1/greeter_pb.ts';

const port = Number(process.argv[2] ?? 9000);
const server = new Server();
server.addService(GreeterService, {
  sayHello: (call: ServerUnaryCall<HelloRequest, HelloReply>, cb: sendUnaryData<HelloReply>) =>
    cb(null, create(HelloReplySchema, { message: `Hello ${call.request.name}` })),
});
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  console.log(`listening ${port}`);
});
