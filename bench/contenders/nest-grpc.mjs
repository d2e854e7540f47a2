// Contender: a NestJS microservice over gRPC (grpc-js + proto-loader/protobufjs, as Nest ships it),
// loading the CLI template's greeter.proto. Usage: node nest-grpc.mjs <port>
import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, Transport } from '@nestjs/microservices';

const port = Number(process.argv[2] ?? 9000);
const root = (p) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

class GreeterController {
  sayHello(req) {
    return { message: `Hello ${req.name}` };
  }
}
Reflect.decorate(
  [GrpcMethod('Greeter', 'SayHello')],
  GreeterController.prototype,
  'sayHello',
  Object.getOwnPropertyDescriptor(GreeterController.prototype, 'sayHello'),
);
Reflect.decorate([Controller()], GreeterController);
class AppModule {}
Reflect.decorate([Module({ controllers: [GreeterController] })], AppModule);

for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
const app = await NestFactory.createMicroservice(AppModule, {
  logger: false,
  transport: Transport.GRPC,
  options: {
    package: 'helloworld.v1',
    url: `127.0.0.1:${port}`,
    protoPath: root('packages/cli/template/api/helloworld/v1/greeter.proto'),
    loader: { includeDirs: [root('packages/protoc-gen-kratos/proto')] },
  },
});
await app.listen();
console.log(`listening ${port}`);
