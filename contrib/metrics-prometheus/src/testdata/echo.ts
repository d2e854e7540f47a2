// One route bound the way generated code binds it: GET /v1/echo/{value} -> /test.v1.Echo/Echo.
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { notFound } from '@kratos/core';
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
