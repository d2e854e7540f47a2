// A tiny service built in code (no protoc in tests), used by the ratelimit, circuitbreaker and
// retry tests to make real HTTP and gRPC round trips:
//
//   syntax = "proto3"; package ping.v1;
//   message PingRequest { string name = 1; }
//   message PingReply { string message = 1; int64 remaining_ms = 2; }
//   service Pinger { rpc Ping(PingRequest) returns (PingReply) { option (google.api.http) = { get: "/v1/ping/{name}" }; } }
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

export type PingRequest = Message<'ping.v1.PingRequest'> & { name: string };
export type PingReply = Message<'ping.v1.PingReply'> & { message: string; remainingMs: bigint };

export const PingRequestSchema = registry.getMessage('ping.v1.PingRequest') as DescMessage;
export const PingReplySchema = registry.getMessage('ping.v1.PingReply') as DescMessage;

export const pingReply = (message: string, remainingMs = 0n): PingReply =>
  create(PingReplySchema, { message, remainingMs }) as unknown as PingReply;

export const OPERATION = '/ping.v1.Pinger/Ping';

/** The HTTP binding, as generated code would describe it. */
export const pingRoute = {
  method: 'GET',
  path: '/v1/ping/{name}',
  operation: OPERATION,
  input: PingRequestSchema,
  output: PingReplySchema,
};

export const pingMethod: MethodDefinition<PingRequest, PingReply> = {
  path: OPERATION,
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(PingRequestSchema, m)),
  requestDeserialize: (b) => fromBinary(PingRequestSchema, b) as unknown as PingRequest,
  responseSerialize: (m) => Buffer.from(toBinary(PingReplySchema, m)),
  responseDeserialize: (b) => fromBinary(PingReplySchema, b) as unknown as PingReply,
  originalName: 'ping',
};

export const PingerService: ServiceDefinition = { Ping: pingMethod } as unknown as ServiceDefinition;

export const silent = { log() {} };

/** A raw grpc-js unary call (no Kratos client), to see the status code as it is on the wire. */
export async function rawGrpcPing(
  port: number,
  name: string,
): Promise<{ code: number; details: string; reply?: PingReply }> {
  const grpc = await import('@grpc/grpc-js');
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        OPERATION,
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
