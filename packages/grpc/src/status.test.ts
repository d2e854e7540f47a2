import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { Client, credentials, Metadata as GrpcMetadata, type ServiceError, status } from '@grpc/grpc-js';
import { KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import {
  decodeRpcStatus,
  ERROR_INFO_TYPE_URL,
  encodeErrorInfo,
  encodeRpcStatus,
  STATUS_DETAILS_KEY,
} from './index.ts';
import { GreeterService, helloRequest } from './testdata/greeter.ts';
import { clientFor, greeterFixture } from './testdata/harness.ts';
import { ErrorInfoSchema, RpcStatusSchema } from './testdata/rpc-status.ts';

const { cleanup, server: started } = greeterFixture();

describe('error details on the wire', () => {
  it('sends google.rpc.Status with ErrorInfo{reason, metadata} in grpc-status-details-bin', async () => {
    const server = await started({
      SayHello: async () => {
        throw new KratosError(403, 'NO_ACCESS', 'not yours', { metadata: { user: 'bob', res: 'doc/1' } });
      },
    });
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cleanup(async () => raw.close());
    const err = await new Promise<ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        GreeterService.SayHello.path,
        GreeterService.SayHello.requestSerialize,
        GreeterService.SayHello.responseDeserialize,
        helloRequest(),
        new GrpcMetadata(),
        {},
        (e) => resolve(e!),
      ),
    );
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect(err.details).toBe('not yours');
    const bin = err.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer;
    const st = fromBinary(RpcStatusSchema, bin) as unknown as {
      code: number;
      message: string;
      details: Any[];
    };
    expect(st.code).toBe(status.PERMISSION_DENIED);
    expect(st.message).toBe('not yours');
    expect(st.details).toHaveLength(1);
    expect(st.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.ErrorInfo');
    const info = fromBinary(ErrorInfoSchema, st.details[0]!.value) as unknown as {
      reason: string;
      domain: string;
      metadata: Record<string, string>;
    };
    expect(info.reason).toBe('NO_ACCESS');
    expect(info.domain).toBe('');
    expect(info.metadata).toEqual({ user: 'bob', res: 'doc/1' });
  });

  it('hand-written codec matches protobuf-es byte for byte', () => {
    const info = encodeErrorInfo({ reason: 'R', metadata: { a: '1', b: '2' } });
    const ref = toBinary(ErrorInfoSchema, {
      $typeName: 'google.rpc.ErrorInfo',
      reason: 'R',
      domain: '',
      metadata: { a: '1', b: '2' },
    } as never);
    expect(Buffer.from(info).equals(Buffer.from(ref))).toBe(true);
    const st = encodeRpcStatus({
      code: 5,
      message: 'm',
      details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }],
    });
    const back = decodeRpcStatus(st);
    expect(back).toEqual({ code: 5, message: 'm', details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }] });
    const viaEs = fromBinary(RpcStatusSchema, st) as unknown as { code: number; details: Any[] };
    expect(viaEs.code).toBe(5);
    expect(Buffer.from(viaEs.details[0]!.value).equals(Buffer.from(info))).toBe(true);
  });

  it('a peer status without details becomes reason "" with the status message', async () => {
    const server = await started();
    // A method the server does not know: grpc-js answers UNIMPLEMENTED without details.
    const client = clientFor(server);
    cleanup(() => client.close());
    const err = await client
      .unary({ ...GreeterService.SayHello, path: '/helloworld.v1.Greeter/Missing' }, helloRequest())
      .catch((e) => e);
    expect(err).toBeInstanceOf(KratosError);
    expect(err.code).toBe(501);
    expect(err.reason).toBe('');
    expect(err.message).toMatch(/Missing/);
  });

  it('unary calls start without grpc-js capturing a caller stack, and leave Error.stackTraceLimit as it was', async () => {
    const server = await started();
    const client = clientFor(server);
    cleanup(() => client.close());
    const before = Error.stackTraceLimit;
    const ok = await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' }));
    expect(ok.message).toBe('Hello x');
    const err = await client
      .unary({ ...GreeterService.SayHello, path: '/helloworld.v1.Greeter/Missing' }, helloRequest())
      .catch((e) => e);
    expect(Error.stackTraceLimit).toBe(before);
    expect(err).toBeInstanceOf(KratosError);
    // The KratosError is made after the call started, with stacks on again; grpc-js' "for call at"
    // caller stack is not appended to anything.
    expect(err.stack).toMatch(/KratosError|Error/);
    expect(String(err.cause?.stack ?? '')).not.toMatch(/for call at\n\s+at /);
  });
});
