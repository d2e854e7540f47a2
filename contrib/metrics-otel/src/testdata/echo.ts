// One operation bound the way generated code binds it: GET /v1/echo/{value} on HTTP and the
// gRPC method /test.v1.Echo/Echo.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import { type Context, notFound } from '@kratos/core';
import type { GrpcServer, GrpcUnaryHandler } from '@kratos/grpc';
import type { HttpRouteDesc, HttpServer } from '@kratos/http';

export const echoRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/echo/{value}',
  operation: '/test.v1.Echo/Echo',
  input: StringValueSchema,
  output: StringValueSchema,
};

export function registerEcho(server: HttpServer): void {
  server.route<StringValue, StringValue>(echoRoute, async (_ctx, req) => {
    if (req.value === 'missing') throw notFound('ECHO_NOT_FOUND', `nothing called ${req.value}`);
    return req;
  });
}

/** The same operation as a gRPC method. */
export const echoMethod: MethodDefinition<StringValue, StringValue> = {
  path: '/test.v1.Echo/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  requestDeserialize: (b) => fromBinary(StringValueSchema, b),
  responseSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  responseDeserialize: (b) => fromBinary(StringValueSchema, b),
  originalName: 'echo',
};

export function registerGrpcEcho(server: GrpcServer): void {
  server.registerService(
    { Echo: echoMethod as MethodDefinition<unknown, unknown> },
    {
      Echo: (async (_ctx: Context, req: StringValue) => {
        if (req.value === 'missing') throw notFound('ECHO_NOT_FOUND', `nothing called ${req.value}`);
        return req;
      }) as GrpcUnaryHandler<StringValue, StringValue>,
    },
  );
}
