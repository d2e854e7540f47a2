// What both trace tests set up: a real OpenTelemetry Collector, tracer providers exporting to it
// over OTLP/HTTP with a BatchSpanProcessor (one registered globally, as the middleware-tracing
// README does), a kratos-ts gRPC backend with server tracing, a kratos-ts HTTP front (asyncContext
// + server tracing) whose one route calls on through a traced gRPC client, and a reader of the
// spans the collector wrote. Everything started is stopped after the file, last first.
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition } from '@grpc/grpc-js';
import { asyncContext, type Context } from '@kratos/core';
import { createGrpcClient, createGrpcServer, type GrpcServer, type GrpcUnaryHandler } from '@kratos/grpc';
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

export { stringValueMethod as stringMethod } from '@kratos/testkit/echo';

import { afterAll } from 'vitest';

/** OTLP span kinds. */
export const SPAN_SERVER = 2;
export const SPAN_CLIENT = 3;

/** The front's one route: GET /v1/front/{value}, operation /test.v1.Front/Get. */
const frontRoute: HttpRouteDesc = {
  method: 'GET',
  path: '/v1/front/{value}',
  operation: '/test.v1.Front/Get',
  input: StringValueSchema,
  output: StringValueSchema,
};

export interface TraceChain {
  /** Starts the collector; call first, in `beforeAll`. */
  start(): Promise<void>;
  /** The collector (after `start`). */
  readonly collector: OtelCollector;
  /** Stopped after the file, last added first. */
  onStop(stop: () => Promise<unknown>): void;
  /** A provider named `serviceName` exporting to the collector. */
  provider(serviceName: string): NodeTracerProvider;
  /** Registers `p` as the global provider (context manager, W3C propagator), undone after the file. */
  registerGlobal(p: NodeTracerProvider): void;
  /** A started gRPC server serving `method` with `handler`, traced by `tracerProvider`. */
  backend(
    method: MethodDefinition<StringValue, StringValue>,
    handler: (ctx: Context, req: StringValue) => Promise<StringValue>,
    tracerProvider: NodeTracerProvider,
  ): Promise<GrpcServer>;
  /**
   * A started HTTP front whose route calls `method` at `target` (`host:port`) with the request
   * `relay` makes; resolves to its base URL. Traced by the global provider.
   */
  front(
    target: string,
    method: MethodDefinition<StringValue, StringValue>,
    relay: (req: StringValue) => StringValue,
  ): Promise<string>;
  /** Flushes every provider made here. */
  flush(): Promise<void>;
  /** The spans of one trace the collector wrote, once `count` have arrived. */
  traceOf(traceId: string, count: number, timeout?: number): Promise<CollectedSpan[]>;
}

/** A test file's trace chain (call once, at the top of the file); stopped after the file. */
export function traceChain(): TraceChain {
  const stops: Array<() => Promise<unknown>> = [];
  const providers: NodeTracerProvider[] = [];
  let collector: OtelCollector | undefined;
  afterAll(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  });
  const started = (): OtelCollector => {
    if (collector === undefined) throw new Error('trace chain: start() first');
    return collector;
  };
  return {
    async start() {
      const c = await startOtelCollector();
      collector = c;
      stops.push(() => c.stop());
    },
    get collector() {
      return started();
    },
    onStop: (stop) => stops.push(stop),
    provider(serviceName) {
      const p = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': serviceName }),
        spanProcessors: [
          new BatchSpanProcessor(new OTLPTraceExporter({ url: `${started().otlpHttp}/v1/traces` })),
        ],
      });
      providers.push(p);
      return p;
    },
    registerGlobal(p) {
      p.register(); // global provider + AsyncLocalStorage context manager + W3C propagator
      stops.push(async () => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
    },
    async backend(method, handler, tracerProvider) {
      const server = createGrpcServer({
        address: '127.0.0.1:0',
        middleware: [serverTracing({ tracerProvider })],
        logger: silentLogger,
      });
      const name = method.path.slice(method.path.lastIndexOf('/') + 1);
      server.registerService(
        { [name]: method as MethodDefinition<unknown, unknown> },
        { [name]: handler as GrpcUnaryHandler<StringValue, StringValue> },
      );
      await server.start();
      stops.push(() => server.stop());
      return server;
    },
    async front(target, method, relay) {
      const client = createGrpcClient({ endpoint: `direct:///${target}`, middleware: [clientTracing()] });
      stops.push(() => client.close());
      const http = createHttpServer({
        address: '127.0.0.1:0',
        middleware: [asyncContext(), serverTracing()],
        logger: silentLogger,
      });
      http.route<StringValue, StringValue>(frontRoute, (ctx, req) =>
        client.unary(method, relay(req), { ctx }),
      );
      await http.start();
      stops.push(() => http.stop());
      return `http://127.0.0.1:${http.address()!.port}`;
    },
    async flush() {
      for (const p of providers) await p.forceFlush();
    },
    async traceOf(traceId, count, timeout = 20_000) {
      let spans: CollectedSpan[] = [];
      await waitFor(
        async () => {
          spans = (await started().spans()).filter((s) => s.traceId === traceId);
          return spans.length >= count;
        },
        { timeout, interval: 200, message: `${count} spans of trace ${traceId} in the exporter file` },
      );
      return spans;
    },
  };
}
