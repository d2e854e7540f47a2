import { create } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import { type HelloReply, HelloReplySchema, type HelloRequest } from '../../api/helloworld/v1/greeter_pb.js';
import type { GreeterUsecase } from '../biz/greeter.ts';

/** Implements helloworld.v1.Greeter for both transports. */
export interface GreeterService {
  sayHello(ctx: Context, req: HelloRequest): Promise<HelloReply>;
}

/** `greeting` is read per call, so a config change is answered at once (hot reload). */
export function createGreeterService(uc: GreeterUsecase, greeting: () => string): GreeterService {
  return {
    async sayHello(ctx, req) {
      const g = await uc.createGreeter(ctx, { hello: req.name });
      return create(HelloReplySchema, { message: `${greeting()} ${g.hello}` });
    },
  };
}
