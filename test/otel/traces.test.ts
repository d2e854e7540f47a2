// The middleware-tracing README's OTLP setup, end to end: a kratos-ts HTTP server (the global
// NodeTracerProvider, registered as the README does) whose handler calls a kratos-ts gRPC server
// (its own provider, another service.name) through a gRPC client; both export with a
// BatchSpanProcessor and the OTLP/HTTP exporter to a real OpenTelemetry Collector, and the test
// reads the spans the collector wrote.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import { asyncContext, type Context } from '@kratos/core';
import { createGrpcClient, createGrpcServer, type GrpcUnaryHandler } from '@kratos/grpc';
import { createHttpServer, type HttpRouteDesc } from '@kratos/http';
import { clientTracing, serverTracing } from '@kratos/middleware-tracing';
import {
  type CollectedSpan,
  type OtelCollector,
  silentLogger,
  startOtelCollector,
  waitFor,
} from '@kratos/testkit';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const echoMethod: MethodDefinition<StringValue, StringValue> = {
  path: '/test.v1.Echo/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  requestDeserialize: (b) => fromBinary(StringValueSchema, b),
  responseSerialize: (m) => Buffer.from(toBinary(StringValueSchema, m)),
  responseDeserialize: (b) => fromBinary(StringValueSchema, b),
  originalName: 'echo',
};
const frontRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/front/{value}',
  operation: '/test.v1.Front/Get',
  input: StringValueSchema,
  output: StringValueSchema,
};

const SPAN_SERVER = 2;
const SPAN_CLIENT = 3;

let collector: OtelCollector;
const stops: Array<() => Promise<unknown>> = [];
let frontBase = '';
let frontProvider: NodeTracerProvider;
let backProvider: NodeTracerProvider;

function provider(serviceName: string): NodeTracerProvider {
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector.otlpHttp}/v1/traces` })),
    ],
  });
}

beforeAll(async () => {
  collector = await startOtelCollector();
  stops.push(() => collector.stop());
  const tag = `${process.pid}-${Date.now()}`;
  frontProvider = provider(`frontend-${tag}`);
  frontProvider.register(); // global provider + AsyncLocalStorage context manager + W3C propagator
  stops.push(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
  backProvider = provider(`backend-${tag}`);

  const backend = createGrpcServer({
    address: '127.0.0.1:0',
    middleware: [serverTracing({ tracerProvider: backProvider })],
    logger: silentLogger,
  });
  backend.registerService(
    { Echo: echoMethod as MethodDefinition<unknown, unknown> },
    { Echo: (async (_ctx: Context, req: StringValue) => req) as GrpcUnaryHandler<StringValue, StringValue> },
  );
  await backend.start();
  stops.push(() => backend.stop());
  const client = createGrpcClient({
    endpoint: `direct:///127.0.0.1:${backend.port}`,
    middleware: [clientTracing()],
  });
  stops.push(() => client.close());
  const front = createHttpServer({
    address: '127.0.0.1:0',
    middleware: [asyncContext(), serverTracing()],
    logger: silentLogger,
  });
  front.route<StringValue, StringValue>(frontRoute, (ctx, req) => client.unary(echoMethod, req, { ctx }));
  await front.start();
  stops.push(() => front.stop());
  frontBase = `http://127.0.0.1:${front.address()!.port}`;
});

afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** The spans of one trace the collector wrote, once `count` have arrived. */
async function traceOf(traceId: string, count: number): Promise<CollectedSpan[]> {
  let spans: CollectedSpan[] = [];
  await waitFor(
    async () => {
      spans = (await collector.spans()).filter((s) => s.traceId === traceId);
      return spans.length >= count;
    },
    { timeout: 20_000, interval: 200, message: `${count} spans of trace ${traceId} in the exporter file` },
  );
  return spans;
}

describe('traces of an HTTP -> gRPC chain exported over OTLP to the collector', () => {
  it('continue the caller trace: server, client and backend server spans chained by parent ids', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const upstreamSpan = '00f067aa0ba902b7';
    const res = await fetch(`${frontBase}/v1/front/hello`, {
      headers: { traceparent: `00-${traceId}-${upstreamSpan}-01` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('hello');
    await frontProvider.forceFlush();
    await backProvider.forceFlush();

    const spans = await traceOf(traceId, 3);
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
    const before = new Set((await collector.spans()).map((s) => s.traceId));
    const res = await fetch(`${frontBase}/v1/front/root`);
    expect(res.status).toBe(200);
    await frontProvider.forceFlush();
    await backProvider.forceFlush();
    let root: CollectedSpan | undefined;
    await waitFor(
      async () => {
        root = (await collector.spans()).find(
          (s) => !before.has(s.traceId) && s.kind === SPAN_SERVER && s.name === '/test.v1.Front/Get',
        );
        return root !== undefined;
      },
      { timeout: 20_000, interval: 200, message: 'the new root span in the exporter file' },
    );
    expect(root!.parentSpanId).toBe('');
    const spans = await traceOf(root!.traceId, 3);
    const client = spans.find((s) => s.kind === SPAN_CLIENT)!;
    expect(client.parentSpanId).toBe(root!.spanId);
    expect(spans.find((s) => s.kind === SPAN_SERVER && s.spanId !== root!.spanId)!.parentSpanId).toBe(
      client.spanId,
    );
  });
});
