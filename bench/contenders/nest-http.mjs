// Contender: NestJS on its fastify adapter. Plain JavaScript (Node cannot strip decorators), so the
// decorators are applied with Reflect.decorate as compiled TypeScript would. Usage: node nest-http.mjs <port>
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const port = Number(process.argv[2] ?? 8000);

class GreeterController {
  sayHello(name) {
    return { message: `Hello ${name}` };
  }
}
Param('name')(GreeterController.prototype, 'sayHello', 0);
Reflect.decorate(
  [Get('helloworld/:name')],
  GreeterController.prototype,
  'sayHello',
  Object.getOwnPropertyDescriptor(GreeterController.prototype, 'sayHello'),
);
Reflect.decorate([Controller()], GreeterController);

class AppModule {}
Reflect.decorate([Module({ controllers: [GreeterController] })], AppModule);

for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(0));
const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
await app.listen(port, '127.0.0.1');
console.log(`listening ${port}`);
