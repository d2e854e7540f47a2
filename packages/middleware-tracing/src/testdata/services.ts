// Two tiny services bound the way generated code binds them, with google.protobuf.Mixin messages
// (a plain message with a string `name`):
// an HTTP route GET /v1/front/{name} (/test.v1.Front/Get) and a gRPC method /test.v1.Back/Echo.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type Mixin, MixinSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { HttpRouteDesc } from '@kratos/http';

export const frontRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/front/{name}',
  operation: '/test.v1.Front/Get',
  input: MixinSchema,
  output: MixinSchema,
};

export const echoMethod: MethodDefinition<Mixin, Mixin> = {
  path: '/test.v1.Back/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(MixinSchema, m)),
  requestDeserialize: (b) => fromBinary(MixinSchema, b),
  responseSerialize: (m) => Buffer.from(toBinary(MixinSchema, m)),
  responseDeserialize: (b) => fromBinary(MixinSchema, b),
  originalName: 'echo',
};

export const backService: ServiceDefinition = { Echo: echoMethod as MethodDefinition<unknown, unknown> };
