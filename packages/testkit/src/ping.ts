// A one-method service described in code (no protoc needed), for tests of middleware that must
// make real HTTP and gRPC round trips (ratelimit, circuitbreaker, retry, auth-jwt):
//
//   syntax = "proto3"; package ping.v1;
//   message PingRequest { string name = 1; }
//   message PingReply { string message = 1; int64 remaining_ms = 2; }
//   service Pinger { rpc Ping(PingRequest) returns (PingReply) { option (google.api.http) = { get: "/v1/ping/{name}" }; } }
//
// It lives behind the `@kratos/testkit/ping` subpath so that the main entry keeps no dependency
// of its own: only tests that use it need @bufbuild/protobuf (and @grpc/grpc-js for the gRPC
// parts), which are optional peer dependencies of testkit.
import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
} from '@bufbuild/protobuf';
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

const STRING = FieldDescriptorProto_Type.STRING;
const INT64 = FieldDescriptorProto_Type.INT64;

const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'ping/v1/ping.proto',
    package: 'ping.v1',
    syntax: 'proto3',
    messageType: [
      { name: 'PingRequest', field: [{ name: 'name', number: 1, label: 1, type: STRING, jsonName: 'name' }] },
      {
        name: 'PingReply',
        field: [
          { name: 'message', number: 1, label: 1, type: STRING, jsonName: 'message' },
          { name: 'remaining_ms', number: 2, label: 1, type: INT64, jsonName: 'remainingMs' },
        ],
      },
    ],
  }),
  () => undefined,
);

/** `ping.v1.PingRequest`: who is pinging. */
export type PingRequest = Message<'ping.v1.PingRequest'> & { name: string };
/** `ping.v1.PingReply`: a message, and a number a handler may fill (e.g. the deadline left). */
export type PingReply = Message<'ping.v1.PingReply'> & { message: string; remainingMs: bigint };

/** Schema of {@link PingRequest}, for `create(PingRequestSchema, { name })`. */
export const PingRequestSchema = registry.getMessage('ping.v1.PingRequest') as DescMessage;
/** Schema of {@link PingReply}. */
export const PingReplySchema = registry.getMessage('ping.v1.PingReply') as DescMessage;

/** A {@link PingReply} message, as a handler returns it. */
export const pingReply = (message: string, remainingMs = 0n): PingReply =>
  create(PingReplySchema, { message, remainingMs }) as unknown as PingReply;

/** The operation name of `Pinger.Ping`, as middleware and selectors see it. */
export const PING_OPERATION = '/ping.v1.Pinger/Ping';

/** The HTTP binding `GET /v1/ping/{name}`, as generated code would describe it (`server.route(pingRoute, handler)`). */
export const pingRoute = {
  method: 'GET',
  path: '/v1/ping/{name}',
  operation: PING_OPERATION,
  input: PingRequestSchema,
  output: PingReplySchema,
};

/** The gRPC method definition of `Pinger.Ping` (binary protobuf on the wire), for clients' `unary(pingMethod, req)`. */
export const pingMethod: MethodDefinition<PingRequest, PingReply> = {
  path: PING_OPERATION,
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(PingRequestSchema, m)),
  requestDeserialize: (b) => fromBinary(PingRequestSchema, b) as unknown as PingRequest,
  responseSerialize: (m) => Buffer.from(toBinary(PingReplySchema, m)),
  responseDeserialize: (b) => fromBinary(PingReplySchema, b) as unknown as PingReply,
  originalName: 'ping',
};

/** The `ping.v1.Pinger` service definition, for `server.registerService(PingerService, { Ping })`. */
export const PingerService: ServiceDefinition = { Ping: pingMethod } as unknown as ServiceDefinition;

/** What {@link rawGrpcPing} saw: the status code and details, and the reply when the code is 0 (OK). */
export interface RawGrpcPingResult {
  code: number;
  details: string;
  reply?: PingReply | undefined;
}

/**
 * One `Pinger.Ping` call over a bare grpc-js client (no Kratos client or middleware), to see the
 * status code exactly as it is on the wire. Never rejects: a failed call resolves with its code.
 */
export async function rawGrpcPing(
  port: number,
  name: string,
  host = '127.0.0.1',
): Promise<RawGrpcPingResult> {
  const grpc = await import('@grpc/grpc-js');
  const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        PING_OPERATION,
        pingMethod.requestSerialize,
        pingMethod.responseDeserialize,
        create(PingRequestSchema, { name }) as unknown as PingRequest,
        (err, reply) => {
          if (err) resolve({ code: err.code, details: err.details });
          else resolve({ code: 0, details: '', reply });
        },
      );
    });
  } finally {
    client.close();
  }
}
