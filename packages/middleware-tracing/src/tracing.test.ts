import { create } from '@bufbuild/protobuf';
import { type Mixin, MixinSchema } from '@bufbuild/protobuf/wkt';
import {
  asyncContext,
  type Context,
  createContext,
  type Logger,
  type Middleware,
  notFound,
  withFields,
} from '@kratos/core';
import { applyMiddleware } from '@kratos/core/transport';
import {
  createGrpcClient,
  createGrpcServer,
  type GrpcClient,
  type GrpcServer,
  type GrpcUnaryHandler,
} from '@kratos/grpc';
import { createHttpClient, createHttpServer, type HttpClient, type HttpServer } from '@kratos/http';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clientTracing,
  parseTraceparent,
  serverTracing,
  spanFromContext,
  spanIdValuer,
  traceIdValuer,
} from '../src/index.ts';
import { backService, echoMethod, frontRoute } from './testdata/services.ts';

const quiet: Logger = { log() {} };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function memoryProvider() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

/**
 * Service B (gRPC) echoes, or fails with 404 for "fail". Service A (HTTP) answers GET
 * /v1/front/{name} by calling B with the server call's ctx.
 */
async function startPair(
  tracing: { server: Middleware; client: Middleware },
  around: { before?: Middleware[]; after?: Middleware[] } = {},
) {
  const back: GrpcServer = createGrpcServer({
    address: '127.0.0.1:0',
    middleware: [tracing.server],
    logger: quiet,
  });
  back.registerService(backService, {
    Echo: (async (_ctx: Context, req: Mixin) => {
      if (req.name === 'fail') throw notFound('BACK_NOT_FOUND', 'nothing here');
      return create(MixinSchema, { name: `back:${req.name}` });
    }) as GrpcUnaryHandler<Mixin, Mixin>,
  });
  await back.start();
  cleanups.push(() => back.stop());
  const backClient: GrpcClient = createGrpcClient({
    endpoint: `direct:///127.0.0.1:${back.port}`,
    middleware: [tracing.client],
  });
  cleanups.push(() => backClient.close());
  const front: HttpServer = createHttpServer({
    address: '127.0.0.1:0',
    middleware: [...(around.before ?? []), tracing.server, ...(around.after ?? [])],
    logger: quiet,
  });
  const seen: Array<{ span: Span | undefined; active: Span | undefined }> = [];
  front.route<Mixin, Mixin>(frontRoute, async (ctx, req) => {
    seen.push({ span: spanFromContext(ctx), active: trace.getActiveSpan() });
    return backClient.unary(echoMethod, create(MixinSchema, { name: req.name }), { ctx });
  });
  await front.start();
  cleanups.push(() => front.stop());
  const frontPort = front.address()!.port;
  const frontClient: HttpClient = createHttpClient({
    endpoint: `http://127.0.0.1:${frontPort}`,
    middleware: [tracing.client],
  });
  cleanups.push(() => frontClient.close());
  return { back, front, frontPort, frontClient, seen };
}

const byName = (spans: ReadableSpan[], name: string, kind: SpanKind) =>
  spans.filter((s) => s.name === name && s.kind === kind);

describe('tracing across HTTP and gRPC', () => {
  it('HTTP client -> A (HTTP) -> gRPC client -> B (gRPC) is one trace with correct parents', async () => {
    const { exporter, provider } = memoryProvider();
    const tracing = {
      server: serverTracing({ tracerProvider: provider }),
      client: clientTracing({ tracerProvider: provider }),
    };
    const { back, frontPort, frontClient } = await startPair(tracing);
    const reply = await frontClient.invoke<{ name: string }, Mixin>(frontRoute, { name: 'hi' });
    expect(reply.name).toBe('back:hi');

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    const [httpClient] = byName(spans, '/test.v1.Front/Get', SpanKind.CLIENT);
    const [aServer] = byName(spans, '/test.v1.Front/Get', SpanKind.SERVER);
    const [grpcClient] = byName(spans, '/test.v1.Back/Echo', SpanKind.CLIENT);
    const [bServer] = byName(spans, '/test.v1.Back/Echo', SpanKind.SERVER);
    const traceId = httpClient!.spanContext().traceId;
    for (const s of spans) expect(s.spanContext().traceId).toBe(traceId);
    expect(httpClient!.parentSpanContext).toBeUndefined();
    expect(aServer!.parentSpanContext?.spanId).toBe(httpClient!.spanContext().spanId);
    expect(aServer!.parentSpanContext?.isRemote).toBe(true);
    expect(grpcClient!.parentSpanContext?.spanId).toBe(aServer!.spanContext().spanId);
    expect(bServer!.parentSpanContext?.spanId).toBe(grpcClient!.spanContext().spanId);

    expect(aServer!.attributes).toMatchObject({
      'rpc.system': 'http',
      'rpc.service': 'test.v1.Front',
      'rpc.method': 'Get',
      'http.request.method': 'GET',
      'url.path': '/v1/front/hi',
      'server.address': '127.0.0.1',
      'server.port': frontPort,
      'network.peer.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(bServer!.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'test.v1.Back',
      'rpc.method': 'Echo',
      'network.peer.address': '127.0.0.1',
      'rpc.grpc.status_code': 0,
    });
    expect(grpcClient!.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'server.address': '127.0.0.1',
      'server.port': back.port,
    });
    for (const s of spans) expect(s.status.code).toBe(SpanStatusCode.UNSET);

    // A second call (operation, Host and peer parsed before) gets the same attributes.
    exporter.reset();
    await frontClient.invoke<{ name: string }, Mixin>(frontRoute, { name: 'again' });
    const [again] = byName(exporter.getFinishedSpans(), '/test.v1.Front/Get', SpanKind.SERVER);
    expect(again!.attributes).toMatchObject({
      'rpc.service': 'test.v1.Front',
      'rpc.method': 'Get',
      'server.address': '127.0.0.1',
      'server.port': frontPort,
    });
  });

  it('marks every span of a failed call with the error and its code', async () => {
    const { exporter, provider } = memoryProvider();
    const { frontClient } = await startPair({
      server: serverTracing({ tracerProvider: provider }),
      client: clientTracing({ tracerProvider: provider }),
    });
    await expect(frontClient.invoke(frontRoute, { name: 'fail' })).rejects.toMatchObject({
      code: 404,
      reason: 'BACK_NOT_FOUND',
    });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    for (const s of spans) {
      expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: 'nothing here' });
      expect(s.attributes['error.type']).toBe('BACK_NOT_FOUND');
      expect(s.events.map((e) => e.name)).toContain('exception');
    }
    const [bServer] = byName(spans, '/test.v1.Back/Echo', SpanKind.SERVER);
    expect(bServer!.attributes['rpc.grpc.status_code']).toBe(5);
    const [aServer] = byName(spans, '/test.v1.Front/Get', SpanKind.SERVER);
    expect(aServer!.attributes['http.response.status_code']).toBe(404);
  });

  it('continues an incoming traceparent and ignores malformed ones', async () => {
    const { exporter, provider } = memoryProvider();
    const { frontPort } = await startPair({
      server: serverTracing({ tracerProvider: provider }),
      client: clientTracing({ tracerProvider: provider }),
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const get = async (traceparent: string) => {
      exporter.reset();
      const res = await fetch(`http://127.0.0.1:${frontPort}/v1/front/x`, { headers: { traceparent } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return byName(exporter.getFinishedSpans(), '/test.v1.Front/Get', SpanKind.SERVER)[0]!;
    };
    const continued = await get(`00-${traceId}-${parentId}-01`);
    expect(continued.spanContext().traceId).toBe(traceId);
    expect(continued.parentSpanContext).toMatchObject({ traceId, spanId: parentId, isRemote: true });

    const malformed = [
      'garbage',
      `00-${traceId}-${parentId}`,
      `00-${traceId.toUpperCase()}-${parentId}-01`,
      `00-${'0'.repeat(32)}-${parentId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `ff-${traceId}-${parentId}-01`,
      `00-${traceId}-${parentId}-01-extra`,
      `00-${traceId}x-${parentId}-01`,
      '-'.repeat(55),
    ];
    for (const header of malformed) {
      const span = await get(header);
      expect(span.parentSpanContext, header).toBeUndefined();
      expect(span.spanContext().traceId, header).not.toBe(traceId);
    }
    // A future version may carry more fields; its first four are read.
    expect(parseTraceparent(`01-${traceId}-${parentId}-01-more`)?.traceId).toBe(traceId);
  });

  it('never blocks or fails requests when the exporter is down or hangs', async () => {
    let failedExports = 0;
    let hangingExports = 0;
    const down: SpanExporter = {
      export: (_spans, done) => {
        failedExports++;
        done({ code: 1, error: new Error('connect ECONNREFUSED collector:4318') });
      },
      shutdown: async () => {},
    };
    const hanging: SpanExporter = {
      export: () => {
        hangingExports++; // never answers
      },
      shutdown: async () => {},
    };
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new BatchSpanProcessor(down, { scheduledDelayMillis: 1, maxExportBatchSize: 4 }),
        new BatchSpanProcessor(hanging, {
          scheduledDelayMillis: 1,
          maxExportBatchSize: 4,
          exportTimeoutMillis: 50,
        }),
      ],
    });
    const { frontClient } = await startPair({
      server: serverTracing({ tracerProvider: provider }),
      client: clientTracing({ tracerProvider: provider }),
    });
    for (let i = 0; i < 20; i++) {
      const reply = await frontClient.invoke<{ name: string }, Mixin>(frontRoute, { name: `v${i}` });
      expect(reply.name).toBe(`back:v${i}`);
    }
    await provider.forceFlush().catch(() => {});
    expect(failedExports).toBeGreaterThan(0);
    expect(hangingExports).toBeGreaterThan(0);
  });
});

describe('active span and log valuers', () => {
  it('makes the server span active in OpenTelemetry context and feeds trace.id/span.id to logs', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    cleanups.push(() => {
      context.disable();
    });
    const { exporter, provider } = memoryProvider();
    const lines: Array<Record<string, unknown>> = [];
    const sink: Logger = {
      log: (_level, ...kv) => {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < kv.length; i += 2) o[String(kv[i])] = kv[i + 1];
        lines.push(o);
      },
    };
    const logger = withFields(sink, 'trace.id', traceIdValuer(), 'span.id', spanIdValuer());
    const logging: Middleware = (next) => async (ctx, req) => {
      logger.log('info', 'msg', 'in handler');
      return next(ctx, req);
    };
    const { frontClient, seen } = await startPair(
      {
        server: serverTracing({ tracerProvider: provider }),
        client: clientTracing({ tracerProvider: provider }),
      },
      { before: [asyncContext()], after: [logging] },
    );
    logger.log('info', 'msg', 'outside');
    await frontClient.invoke(frontRoute, { name: 'hi' });
    const [aServer] = byName(exporter.getFinishedSpans(), '/test.v1.Front/Get', SpanKind.SERVER);
    expect(seen[0]!.span?.spanContext().spanId).toBe(aServer!.spanContext().spanId);
    expect(seen[0]!.active?.spanContext().spanId).toBe(aServer!.spanContext().spanId);
    expect(lines[0]).toEqual({ 'trace.id': '', 'span.id': '', msg: 'outside' });
    // asyncContext() runs before tracing: the valuers read the call's Context at log time.
    expect(lines[1]).toEqual({
      'trace.id': aServer!.spanContext().traceId,
      'span.id': aServer!.spanContext().spanId,
      msg: 'in handler',
    });
  });

  it('valuers read the span of the Context passed by the log mechanism', async () => {
    const { provider } = memoryProvider();
    const h = applyMiddleware(async () => {
      const sink: unknown[][] = [];
      withFields(
        { log: (_l, ...kv) => sink.push(kv) },
        'trace.id',
        traceIdValuer(),
        'span.id',
        spanIdValuer(),
      ).log('info', 'msg', 'x');
      return sink[0];
    }, [asyncContext(), serverTracing({ tracerProvider: provider })]);
    const ctx = createContext({ kind: 'grpc', operation: '/a.A/B' });
    const kv = (await h(ctx, {})) as unknown[];
    const span = spanFromContext(ctx)!;
    expect(kv).toEqual([
      'trace.id',
      span.spanContext().traceId,
      'span.id',
      span.spanContext().spanId,
      'msg',
      'x',
    ]);
    expect(kv[1]).toMatch(/^[0-9a-f]{32}$/);
  });
});
