import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PING_OPERATION,
  PingerService,
  type PingReply,
  PingReplySchema,
  type PingRequest,
  PingRequestSchema,
  pingMethod,
  pingReply,
  pingRoute,
  rawGrpcPing,
} from './ping.ts';

const servers: grpc.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.forceShutdown();
});

async function startPinger(ping: grpc.handleUnaryCall<PingRequest, PingReply>): Promise<number> {
  const server = new grpc.Server();
  servers.push(server);
  server.addService(PingerService, { Ping: ping });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
}

describe('ping fixture', () => {
  it('describes one operation the same way for HTTP and gRPC', () => {
    expect(pingRoute).toMatchObject({ method: 'GET', path: '/v1/ping/{name}', operation: PING_OPERATION });
    expect(pingMethod.path).toBe(PING_OPERATION);
    expect(pingRoute.input.typeName).toBe('ping.v1.PingRequest');
    expect(pingRoute.output.typeName).toBe('ping.v1.PingReply');
  });

  it('encodes messages as protobuf, int64 included', () => {
    const reply = pingReply('hi', 9_007_199_254_740_993n);
    const back = fromBinary(PingReplySchema, toBinary(PingReplySchema, reply)) as unknown as PingReply;
    expect(back.message).toBe('hi');
    expect(back.remainingMs).toBe(9_007_199_254_740_993n);
    const req = create(PingRequestSchema, { name: 'ünï' }) as unknown as PingRequest;
    expect(pingMethod.requestDeserialize(pingMethod.requestSerialize(req)).name).toBe('ünï');
  });

  it('rawGrpcPing returns the reply of a plain grpc-js server', async () => {
    const port = await startPinger((call, done) => done(null, pingReply(`hi ${call.request.name}`, 7n)));
    const res = await rawGrpcPing(port, 'bob');
    expect(res.code).toBe(grpc.status.OK);
    expect(res.reply?.message).toBe('hi bob');
    expect(res.reply?.remainingMs).toBe(7n);
  });

  it('rawGrpcPing resolves with the status code and details of a failed call', async () => {
    const port = await startPinger((_call, done) =>
      done({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'slow down' }, null),
    );
    expect(await rawGrpcPing(port, 'bob')).toEqual({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: 'slow down',
    });
  });
});
