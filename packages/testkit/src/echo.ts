// One operation bound the way generated code binds it: GET /v1/echo/{value} on HTTP and the gRPC
// method /test.v1.Echo/Echo, over google.protobuf.StringValue; `missing` fails with 404
// ECHO_NOT_FOUND. For metrics adapters' tests (Prometheus, OpenTelemetry), which must see the
// same operation, codes and reasons from both transports.
//
// Behind the `@kratos/testkit/echo` subpath, like `./ping`: only tests that use it need
// @bufbuild/protobuf (and @grpc/grpc-js's types). The servers are typed by what is used of them,
// so testkit depends on neither transport.
import { type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import { type Context, notFound } from '@kratos/core';

/** The HTTP binding (an `HttpRouteDesc` of @kratos/http). */
export const echoRoute: {
  method: 'GET';
  path: string;
  operation: string;
  input: DescMessage;
  output: DescMessage;
} = {
  method: 'GET',
  path: '/v1/echo/{value}',
  operation: '/test.v1.Echo/Echo',
  input: StringValueSchema,
  output: StringValueSchema,
};

async function echo(_ctx: Context, req: StringValue): Promise<StringValue> {
  if (req.value === 'missing') throw notFound('ECHO_NOT_FOUND', `nothing called ${req.value}`);
  return req;
}

/** What {@link registerEcho} uses of an HTTP server (@kratos/http's `HttpServer`). */
export interface EchoHttpServer {
  route<I, O>(desc: typeof echoRoute, handler: (ctx: Context, req: I) => Promise<O>): void;
}

/** Serves the echo route on an HTTP server. */
export function registerEcho(server: EchoHttpServer): void {
  server.route<StringValue, StringValue>(echoRoute, echo);
}

/**
 * A unary gRPC method over google.protobuf.StringValue, which is also the wire form of any
 * message of one string field numbered 1 (helloworld's HelloRequest and HelloReply).
 */
export function stringValueMethod(
  path: string,
  originalName: string,
): MethodDefinition<StringValue, StringValue> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
    requestDeserialize: (b) => fromBinary(StringValueSchema, b),
    responseSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
    responseDeserialize: (b) => fromBinary(StringValueSchema, b),
    originalName,
  };
}

/** The same operation as a gRPC method. */
export const echoMethod: MethodDefinition<StringValue, StringValue> = stringValueMethod(
  '/test.v1.Echo/Echo',
  'echo',
);

/** What {@link registerGrpcEcho} uses of a gRPC server (@kratos/grpc's `GrpcServer`). */
export interface EchoGrpcServer {
  registerService(
    definition: Record<string, MethodDefinition<unknown, unknown>>,
    handlers: Record<string, (ctx: Context, req: StringValue) => Promise<StringValue>>,
  ): void;
}

/** Serves the echo method on a gRPC server. */
export function registerGrpcEcho(server: EchoGrpcServer): void {
  server.registerService({ Echo: echoMethod as MethodDefinition<unknown, unknown> }, { Echo: echo });
}
