import { createContext } from '@kratos/core';
import { clientMetadata } from '@kratos/middleware';
import { clientTracing, SPAN_KEY } from '@kratos/middleware-tracing';
import { describe, expect, it } from 'vitest';
import { GreeterGrpcClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import { goTracing, type InteropFixture } from '../fixture.ts';
import { parseReport } from '../ts.ts';

/** x-md-global-* / x-md-local-* metadata and trace context propagate across languages. */
export function describeMetadata(f: InteropFixture): void {
  const { grpcClient, httpClient, tracerProvider, flavour } = f;
  describe('metadata', () => {
    it('x-md-global-* set by a Go caller reaches a kratos-ts handler and travels on to a Go service; x-md-local-* stops after one hop', async () => {
      const results = await f.goCall({
        target: 'discovery:///ts-relay',
        names: ['relay~grpc~helloworld~echo', 'relay~http~helloworld~echo'],
        metadata: { 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' },
      });
      expect(results).toHaveLength(4);
      for (const r of results) {
        expect(r.error).toBeUndefined();
        const ts = parseReport(r.message);
        expect(ts).toMatchObject({
          side: 'ts',
          transport: r.transport,
          operation: '/helloworld.v1.Greeter/SayHello',
        });
        expect(ts.metadata).toEqual({ 'x-md-global-user': 'alice', 'x-md-local-hop': 'first' });
        expect(ts.next).toMatchObject({ side: 'go', transport: r.name.split('~')[1] });
        expect(ts.next?.metadata).toEqual({ 'x-md-global-user': 'alice' });
      }
    });

    it('x-md-global-* set by a kratos-ts caller reaches a Go handler and travels on to a kratos-ts service', async () => {
      const middleware = [
        clientMetadata({ constants: { 'x-md-global-user': 'bob', 'x-md-local-hop': 'first' } }),
      ];
      for (const greeter of [
        new GreeterGrpcClient(grpcClient({ middleware })),
        new GreeterHttpClient(httpClient({ middleware })),
      ]) {
        for (const inner of ['grpc', 'http']) {
          const go = parseReport((await greeter.sayHello({ name: `relay~${inner}~ts-relay~echo` })).message);
          expect(go).toMatchObject({ side: 'go', operation: '/helloworld.v1.Greeter/SayHello' });
          expect(go.metadata).toEqual({ 'x-md-global-user': 'bob', 'x-md-local-hop': 'first' });
          expect(go.next).toMatchObject({ side: 'ts', transport: inner });
          // Go Kratos' tracing client middleware also sends x-md-service-name (its Metadata
          // propagator names the calling app), a local key kratos-ts copies like any other.
          expect(go.next?.metadata).toEqual({
            'x-md-global-user': 'bob',
            ...(goTracing(flavour) ? { 'x-md-service-name': 'helloworld' } : {}),
          });
        }
      }
    });
  });

  if (goTracing(flavour))
    describe('tracing', () => {
      it('a trace started by a Go caller continues through a kratos-ts service into a Go service (same trace id)', async () => {
        const results = await f.goCall({
          target: 'discovery:///ts-relay',
          names: ['relay~grpc~helloworld~echo', 'relay~http~helloworld~echo'],
          trace: true,
        });
        expect(results).toHaveLength(4);
        for (const r of results) {
          expect(r.traceId).toMatch(/^[0-9a-f]{32}$/);
          const ts = parseReport(r.message);
          expect(ts).toMatchObject({ side: 'ts', traceId: r.traceId });
          expect(ts.next).toMatchObject({ side: 'go', traceId: r.traceId });
        }
      });

      it('a trace started in kratos-ts continues through a Go service into a kratos-ts service (same trace id)', async () => {
        const root = tracerProvider.getTracer('interop').startSpan('interop.call');
        const traceId = root.spanContext().traceId;
        // The calls are made within this (server-side) context, as a handler's would be.
        const parent = createContext({ kind: 'http', side: 'server', operation: '/interop/root' });
        parent.set(SPAN_KEY, root);
        const middleware = [clientTracing({ tracerProvider })];
        try {
          for (const greeter of [
            new GreeterGrpcClient(grpcClient({ middleware })),
            new GreeterHttpClient(httpClient({ middleware })),
          ]) {
            for (const inner of ['grpc', 'http']) {
              const reply = await greeter.sayHello({ name: `relay~${inner}~ts-relay~echo` }, { ctx: parent });
              const go = parseReport(reply.message);
              expect(go).toMatchObject({ side: 'go', traceId });
              expect(go.next).toMatchObject({ side: 'ts', transport: inner, traceId });
            }
          }
        } finally {
          root.end();
        }
      });
    });
}
