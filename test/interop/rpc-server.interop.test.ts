// Go Kratos' gRPC client (v2.9.2 and v3.0.0, the fixture's `interop call`) against a @kratos/rpc
// server: the greeting, a Kratos error with its reason and metadata (grpc-status-details-bin ->
// Go's errors.FromError), and x-md-* metadata sent by Go's metadata client middleware arriving in
// the handler through serverMetadata().
import { create } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import { serverMetadata } from '@kratos/middleware';
import { createRpcServer, type RpcServer } from '@kratos/rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorUserNotFound } from '../../examples/helloworld/api/helloworld/v1/error_reason_errors.js';
import { registerGreeterGrpcServer } from '../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import {
  HelloReplySchema,
  type HelloRequest,
} from '../../examples/helloworld/api/helloworld/v1/greeter_pb.js';
import { buildGo, type GoFlavour, goCall } from './lib/go.ts';
import { quiet } from './lib/ts.ts';

const greeter = {
  async sayHello(ctx: Context, req: HelloRequest) {
    if (req.name.startsWith('unknown'))
      throw errorUserNotFound('user %s not found', req.name).withMetadata({ name: req.name, side: 'rpc' });
    if (req.name === 'echo') {
      const metadata: Record<string, string> = {};
      for (const [k, v] of ctx.metadata) if (k.startsWith('x-md-')) metadata[k] = v.join(',');
      return create(HelloReplySchema, {
        message: JSON.stringify({ transport: ctx.kind, operation: ctx.operation, metadata }),
      });
    }
    return create(HelloReplySchema, { message: `Hello ${req.name}` });
  },
};

for (const flavour of ['v2', 'v3'] as GoFlavour[]) {
  describe(`Go Kratos ${flavour} gRPC client -> @kratos/rpc server`, () => {
    let bin: string;
    let server: RpcServer;
    let target: string;

    beforeAll(async () => {
      bin = await buildGo(flavour);
      server = createRpcServer({ address: '127.0.0.1:0', middleware: [serverMetadata()], logger: quiet });
      registerGreeterGrpcServer(server, greeter);
      await server.start();
      target = `127.0.0.1:${server.port}`;
    }, 900_000);
    afterAll(() => server?.stop());

    it('gets the greeting', async () => {
      const [r] = await goCall(bin, { target, transports: ['grpc'], names: ['gopher'] });
      expect(r).toMatchObject({ transport: 'grpc', name: 'gopher', message: 'Hello gopher' });
      expect(r?.error).toBeUndefined();
    });

    it("reads a KratosError's code, reason, message and metadata through errors.FromError", async () => {
      const [r] = await goCall(bin, { target, transports: ['grpc'], names: ['unknown-rpc'] });
      expect(r?.error).toEqual({
        code: 404,
        reason: 'USER_NOT_FOUND',
        message: 'user unknown-rpc not found',
        metadata: { name: 'unknown-rpc', side: 'rpc' },
      });
    });

    it('sends x-md-global-* and x-md-local-* metadata the handler reads', async () => {
      const [r] = await goCall(bin, {
        target,
        transports: ['grpc'],
        names: ['echo'],
        metadata: { 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' },
      });
      expect(r?.error).toBeUndefined();
      const seen = JSON.parse(r?.message ?? '') as { metadata: Record<string, string> };
      expect(seen).toMatchObject({ transport: 'grpc', operation: '/helloworld.v1.Greeter/SayHello' });
      // Go Kratos' tracing client middleware (v2 fixture) may add x-md-service-name; the sent keys must be there.
      expect(seen.metadata).toMatchObject({ 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' });
    });
  });
}
