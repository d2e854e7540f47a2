// The middleware-tracing README's OTLP setup, end to end: a kratos-ts HTTP server (the global
// NodeTracerProvider, registered as the README does) whose handler calls a kratos-ts gRPC server
// (its own provider, another service.name) through a gRPC client; both export with a
// BatchSpanProcessor and the OTLP/HTTP exporter to a real OpenTelemetry Collector, and the test
// reads the spans the collector wrote.
import type { StringValue } from '@bufbuild/protobuf/wkt';
import type { CollectedSpan } from '@kratos/testkit';
import { waitFor } from '@kratos/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPAN_CLIENT, SPAN_SERVER, stringMethod, traceChain } from './chain.ts';

const echoMethod = stringMethod('/test.v1.Echo/Echo', 'echo');

const chain = traceChain();
let frontBase = '';

beforeAll(async () => {
  await chain.start();
  const tag = `${process.pid}-${Date.now()}`;
  chain.registerGlobal(chain.provider(`frontend-${tag}`));
  const backend = await chain.backend(
    echoMethod,
    async (_ctx, req: StringValue) => req,
    chain.provider(`backend-${tag}`),
  );
  frontBase = await chain.front(`127.0.0.1:${backend.port}`, echoMethod, (req) => req);
});

describe('traces of an HTTP -> gRPC chain exported over OTLP to the collector', () => {
  it('continue the caller trace: server, client and backend server spans chained by parent ids', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const upstreamSpan = '00f067aa0ba902b7';
    const res = await fetch(`${frontBase}/v1/front/hello`, {
      headers: { traceparent: `00-${traceId}-${upstreamSpan}-01` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('hello');
    await chain.flush();

    const spans = await chain.traceOf(traceId, 3);
    expect(spans).toHaveLength(3);
    const frontServer = spans.find(
      (s) =>
        s.kind === SPAN_SERVER &&
        s.resource['service.name'] !== undefined &&
        String(s.resource['service.name']).startsWith('frontend-'),
    )!;
    const frontClient = spans.find((s) => s.kind === SPAN_CLIENT)!;
    const backServer = spans.find(
      (s) => s.kind === SPAN_SERVER && String(s.resource['service.name']).startsWith('backend-'),
    )!;
    expect(frontServer).toMatchObject({
      name: '/test.v1.Front/Get',
      parentSpanId: upstreamSpan,
      scope: 'kratos',
    });
    expect(frontClient).toMatchObject({ name: '/test.v1.Echo/Echo', parentSpanId: frontServer.spanId });
    expect(String(frontClient.resource['service.name'])).toMatch(/^frontend-/);
    expect(backServer).toMatchObject({ name: '/test.v1.Echo/Echo', parentSpanId: frontClient.spanId });
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(3);
  });

  it('start a new trace at the HTTP server when the request carries none', async () => {
    const before = new Set((await chain.collector.spans()).map((s) => s.traceId));
    const res = await fetch(`${frontBase}/v1/front/root`);
    expect(res.status).toBe(200);
    await chain.flush();
    let root: CollectedSpan | undefined;
    await waitFor(
      async () => {
        root = (await chain.collector.spans()).find(
          (s) => !before.has(s.traceId) && s.kind === SPAN_SERVER && s.name === '/test.v1.Front/Get',
        );
        return root !== undefined;
      },
      { timeout: 20_000, interval: 200, message: 'the new root span in the exporter file' },
    );
    expect(root!.parentSpanId).toBe('');
    const spans = await chain.traceOf(root!.traceId, 3);
    const client = spans.find((s) => s.kind === SPAN_CLIENT)!;
    expect(client.parentSpanId).toBe(root!.spanId);
    expect(spans.find((s) => s.kind === SPAN_SERVER && s.spanId !== root!.spanId)!.parentSpanId).toBe(
      client.spanId,
    );
  });
});
