// One operation on both transports: GET /v1/echo/{value} and /test.v1.Echo/Echo, answering
// `<value>@<pid>` so a test knows which worker served it.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import type { HttpRouteDesc } from '@kratos/http';

export const echoRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/echo/{value}',
  operation: '/test.v1.Echo/Echo',
  input: StringValueSchema,
  output: StringValueSchema,
};

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
