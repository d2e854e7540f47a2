import { createSelector } from '@kratos/selector';
import { waitFor } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { GreeterGrpcClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import { lookups } from '../backends.ts';
import { helloworldRegistries, type InteropFixture } from '../fixture.ts';
import { parseReport, startTsHelloworld, startTsRelay } from '../ts.ts';

/** Each side finds and calls the other through the shared registry; mixed pools balance. */
export function describeDiscovery(f: InteropFixture): void {
  const { service, grpcClient, httpClient, goService, listed, backend } = f;
  describe('discovery', () => {
    it(`a Go service registered by Go Kratos is found by kratos-ts through discovery:///${service('helloworld')} and called over gRPC and HTTP`, async () => {
      const registered = {
        id: f.goSvc.id,
        name: 'helloworld',
        version: 'v1.0.0',
        metadata: { lang: 'go' },
        endpoints: f.goSvc.endpoints,
      };
      for (const t of lookups(backend)) {
        expect(await f.registry.getService(service('helloworld', t))).toEqual([
          backend.readBack(registered, t, 'ts'),
        ]);
      }
      expect((await new GreeterGrpcClient(grpcClient()).sayHello({ name: 'grpc' })).message).toBe(
        'Hello grpc',
      );
      expect((await new GreeterHttpClient(httpClient()).sayHello({ name: 'http' })).message).toBe(
        'Hello http',
      );
    });

    it('a kratos-ts App registered by kratos-ts is found and called by Go Kratos clients', async () => {
      expect(f.tsRelay.instance).toMatchObject({
        id: f.tsRelay.id,
        name: 'ts-relay',
        metadata: { lang: 'ts' },
      });
      for (const t of lookups(backend)) {
        expect(await f.registry.getService(service('ts-relay', t))).toEqual([
          backend.readBack(f.tsRelay.instance, t, 'ts'),
        ]);
      }
      const results = await f.goCall({
        target: 'discovery:///ts-relay',
        names: ['world'],
      });
      expect(results).toEqual([
        { transport: 'grpc', name: 'world', message: 'Hello world' },
        { transport: 'http', name: 'world', message: 'Hello world' },
      ]);
    });

    if (backend.goAuthorityRefused) {
      it(`Go Kratos' gRPC client reaches a kratos-ts service through ${backend.name} only with grpc.WithAuthority: Node's HTTP/2 refuses its default :authority`, async () => {
        const [refused] = await f.goCall({
          target: 'discovery:///ts-relay',
          transports: ['grpc'],
          names: ['world'],
          fixAuthority: false,
        });
        // :authority `DEFAULT_GROUP@@ts-relay.grpc` (the nacos instance's name): stream reset.
        expect(refused?.error).toMatchObject({ code: 503, reason: '' });
        expect(refused?.error?.message).toMatch(/PROTOCOL_ERROR/);
        // grpc-go's server accepts the same :authority.
        expect(
          await f.goCall({
            target: 'discovery:///helloworld',
            transports: ['grpc'],
            names: ['world'],
            fixAuthority: false,
          }),
        ).toEqual([{ transport: 'grpc', name: 'world', message: 'Hello world' }]);
        // With grpc.WithAuthority(<app name>), what the other tests run, it works.
        expect(
          await f.goCall({
            target: 'discovery:///ts-relay',
            transports: ['grpc'],
            names: ['world'],
          }),
        ).toEqual([{ transport: 'grpc', name: 'world', message: 'Hello world' }]);
      });
    }

    it('Go and kratos-ts instances of one service form one pool that clients of both languages balance over', async () => {
      const [goNode, tsNode] = await Promise.all([
        goService({ name: 'mixed' }),
        startTsRelay({ name: 'mixed', registrar: f.registry, discovery: f.registry, discoveryName: service }),
      ]);
      const calls = 20;
      const sides = (messages: (string | undefined)[]) =>
        [...new Set(messages.map((m) => parseReport(m).side))].sort();
      try {
        await waitFor(() => listed('mixed', 2), { timeout: 20_000 });
        // Go Kratos' clients with their default balancer (wrr). A new gRPC subconnection needs a
        // moment (~100 ms) before the balancer may pick it: calls are spaced, and a run that only
        // reached the first-connected node is tried again (at most 3 runs).
        for (const transport of ['grpc', 'http'] as const) {
          let seen: string[] = [];
          for (let run = 0; run < 3 && seen.length < 2; run++) {
            const results = await f.goCall({
              target: 'discovery:///mixed',
              transports: [transport],
              names: Array(calls).fill('echo'),
              intervalMs: 50,
            });
            expect(
              results.every((r) => r.error === undefined),
              JSON.stringify(results),
            ).toBe(true);
            seen = sides(results.map((r) => r.message));
          }
          expect(seen, transport).toEqual(['go', 'ts']);
        }
        // kratos-ts clients with wrr (p2c would also spread, but only as fast as its probing).
        const grpcGreeter = new GreeterGrpcClient(
          grpcClient({
            endpoint: `discovery:///${service('mixed', 'grpc')}`,
            selector: createSelector({ balancer: 'wrr' }),
          }),
        );
        const httpGreeter = new GreeterHttpClient(
          httpClient({
            endpoint: `discovery:///${service('mixed', 'http')}`,
            selector: createSelector({ balancer: 'wrr' }),
          }),
        );
        for (const greeter of [grpcGreeter, httpGreeter]) {
          const messages: (string | undefined)[] = [];
          for (let i = 0; i < calls; i++) messages.push((await greeter.sayHello({ name: 'echo' })).message);
          expect(sides(messages)).toEqual(['go', 'ts']);
        }
      } finally {
        await Promise.all([goNode.stop(), tsNode.stop()]);
      }
    });

    if (helloworldRegistries.includes(backend.name)) {
      it('the kratos-ts helloworld example (-registry) is found and called by Go Kratos clients', async () => {
        const hw = await startTsHelloworld(f.registryUrl, 'helloworld-ts');
        try {
          await waitFor(async () => (await f.registry.getService('helloworld-ts')).length === 1, {
            timeout: 20_000,
          });
          const results = await f.goCall({
            target: 'discovery:///helloworld-ts',
            names: ['world', 'unknown'],
          });
          for (const transport of ['grpc', 'http'] as const) {
            expect(results).toContainEqual({ transport, name: 'world', message: 'Hello world' });
            const failed = results.find((r) => r.transport === transport && r.name === 'unknown');
            expect(failed?.error).toMatchObject({
              code: 404,
              reason: 'USER_NOT_FOUND',
              message: 'user unknown not found',
            });
            expect(failed?.error?.metadata ?? {}).toEqual({});
          }
        } finally {
          expect(await hw.stop()).toBe(0);
        }
      });
    }
  });
}
