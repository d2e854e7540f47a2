import { KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { isUserNotFound } from '../../../../examples/helloworld/api/helloworld/v1/error_reason_errors.js';
import { GreeterGrpcClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import type { InteropFixture } from '../fixture.ts';

/** Kratos errors cross the language boundary unchanged, both ways and through relays. */
export function describeErrors(f: InteropFixture): void {
  const { grpcClient, httpClient } = f;
  describe('errors', () => {
    it('USER_NOT_FOUND raised by Go arrives in kratos-ts with the same code, reason, message and metadata', async () => {
      const want = {
        code: 404,
        reason: 'USER_NOT_FOUND',
        message: 'user unknown-7 not found',
        metadata: { name: 'unknown-7', side: 'go' },
      };
      for (const greeter of [new GreeterGrpcClient(grpcClient()), new GreeterHttpClient(httpClient())]) {
        const err = await greeter.sayHello({ name: 'unknown-7' }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(KratosError.is(err)).toBe(true);
        expect(isUserNotFound(err)).toBe(true);
        expect((err as KratosError).toJSON()).toEqual(want);
      }
    });

    it('USER_NOT_FOUND raised by kratos-ts arrives in Go Kratos with the same code, reason, message and metadata', async () => {
      const results = await f.goCall({
        target: 'discovery:///ts-relay',
        names: ['unknown-8'],
      });
      expect(results.map((r) => [r.transport, r.error])).toEqual(
        (['grpc', 'http'] as const).map((t) => [
          t,
          {
            code: 404,
            reason: 'USER_NOT_FOUND',
            message: 'user unknown-8 not found',
            metadata: { name: 'unknown-8', side: 'ts' },
          },
        ]),
      );
    });

    it('an error crosses a relay in the other language unchanged (Go -> TS -> Go and TS -> Go -> TS)', async () => {
      const viaTs = await f.goCall({
        target: 'discovery:///ts-relay',
        names: ['relay~grpc~helloworld~unknown-go', 'relay~http~helloworld~unknown-go'],
      });
      expect(viaTs).toHaveLength(4);
      for (const r of viaTs) {
        expect(r.error).toEqual({
          code: 404,
          reason: 'USER_NOT_FOUND',
          message: 'user unknown-go not found',
          metadata: { name: 'unknown-go', side: 'go' },
        });
      }
      for (const greeter of [new GreeterGrpcClient(grpcClient()), new GreeterHttpClient(httpClient())]) {
        for (const inner of ['grpc', 'http']) {
          await expect(
            greeter.sayHello({ name: `relay~${inner}~ts-relay~unknown-ts` }),
          ).rejects.toMatchObject({
            code: 404,
            reason: 'USER_NOT_FOUND',
            message: 'user unknown-ts not found',
            metadata: { name: 'unknown-ts', side: 'ts' },
          });
        }
      }
    });
  });
}
