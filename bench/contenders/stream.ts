// Contender for the server-streaming rows: benchstream.v1.StreamGreeter/StreamHellos answers one
// request with STREAM_REPLIES (10) replies "Hello <name>", served by bare grpc-js (the baseline:
// call.write x 10, call.end()), @kratos/grpc or @kratos/rpc (the generated registration, an async
// generator handler, recovery() in the stream chain as the default chain).
// Usage: node --conditions=kratos-source stream.ts <port> <grpc-js|kratos-grpc|kratos-rpc>
import { create } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import type { Context } from '@kratos/core';
import { createGrpcServer } from '@kratos/grpc';
import { recovery } from '@kratos/middleware';
import { createRpcServer } from '@kratos/rpc';
import { registerStreamGreeterGrpcServer, StreamGreeterService } from '../.gen/benchstream/v1/stream_grpc.ts';
import { type HelloReply, HelloReplySchema, type HelloRequest } from '../.gen/benchstream/v1/stream_pb.ts';

const STREAM_REPLIES = 10; // bench/lib/contenders.mjs' STREAM_REPLIES
const port = Number(process.argv[2] ?? 9000);
const kind = process.argv[3] ?? 'grpc-js';
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));

const impl = {
  async *streamHellos(_ctx: Context, req: HelloRequest): AsyncIterable<HelloReply> {
    for (let i = 0; i < STREAM_REPLIES; i++) yield create(HelloReplySchema, { message: `Hello ${req.name}` });
  },
};

if (kind === 'grpc-js') {
  const server = new Server();
  server.addService(StreamGreeterService, {
    streamHellos: (call: ServerWritableStream<HelloRequest, HelloReply>) => {
      for (let i = 0; i < STREAM_REPLIES; i++)
        call.write(create(HelloReplySchema, { message: `Hello ${call.request.name}` }));
      call.end();
    },
  });
  server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) => {
    if (err) throw err;
    console.log(`listening ${port}`);
  });
} else {
  const options = { address: `127.0.0.1:${port}`, streamMiddleware: [recovery()] };
  const server = kind === 'kratos-rpc' ? createRpcServer(options) : createGrpcServer(options);
  registerStreamGreeterGrpcServer(server, impl);
  await server.start();
  console.log(`listening ${port}`);
}
