import {
  type Context,
  type ContextKey,
  createContextKey,
  KratosError,
  type Middleware,
  type Valuer,
  valuer,
} from '@kratos/core';
import { httpToGrpcCode, nativeOf } from '@kratos/core/transport';
import {
  type Attributes,
  isSpanContextValid,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { metadataGetter, metadataSetter, w3cTraceContextPropagator } from './trace-context.ts';

/** Options of {@link serverTracing} and {@link clientTracing}. */
export interface TracingOptions {
  /** Where spans go. Default: the global provider (`trace.setGlobalTracerProvider`, or an SDK's `register()`). */
  tracerProvider?: TracerProvider;
  /**
   * Reads (server) and writes (client) the trace context in request headers. Default W3C Trace
   * Context (`traceparent`, `tracestate`); pass `propagation` of `@opentelemetry/api` to use the
   * globally registered propagator (B3, baggage, ...).
   */
  propagator?: TextMapPropagator;
  /** Name of the tracer (instrumentation scope). Default `kratos`, as Go Kratos. */
  tracerName?: string;
}

/** Where the span of a call is kept on its kratos Context (found through `ctx.parent` too). */
export const SPAN_KEY: ContextKey<Span> = createContextKey<Span>('@kratos/middleware-tracing/span');

/** The span of the call `ctx` belongs to (its own, or the nearest parent call's). */
export function spanFromContext(ctx: Context | undefined): Span | undefined {
  return ctx?.get(SPAN_KEY);
}

function tracerOf(options: TracingOptions): Tracer {
  // The global provider is a proxy: a tracer taken from it now follows an SDK registered later.
  return (options.tracerProvider ?? trace.getTracerProvider()).getTracer(options.tracerName ?? 'kratos');
}

function splitOperation(operation: string, attrs: Attributes): void {
  const parts = memo(operationCache, operation, parseOperation);
  if (parts.service) attrs['rpc.service'] = parts.service;
  if (parts.method) attrs['rpc.method'] = parts.method;
  if (parts.operation) attrs['rpc.operation'] = parts.operation;
}

function parseOperation(operation: string): { service?: string; method?: string; operation?: string } {
  const slash = operation.lastIndexOf('/');
  if (operation.startsWith('/') && slash > 0) {
    return { service: operation.slice(1, slash), method: operation.slice(slash + 1) };
  }
  return operation ? { operation } : {};
}

type HostPort = { host: string; port?: number } | undefined;

// Operations, Host headers and peers repeat from call to call: each is parsed once (bounded memo).
const MEMO_LIMIT = 256;
const operationCache = new Map<string, ReturnType<typeof parseOperation>>();
const addressCache = new Map<string, HostPort>();

function memo<T>(cache: Map<string, T>, key: string, make: (key: string) => T): T {
  let v = cache.get(key);
  if (v === undefined && !cache.has(key)) {
    v = make(key);
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, v);
  }
  return v as T;
}

/** `host:port`, `[v6]:port`, `ipv4:host:port` (grpc-js peers) -> host and port. */
function splitAddress(address: string): HostPort {
  return memo(addressCache, address, parseAddress);
}

function parseAddress(address: string): HostPort {
  let a = address;
  if (a.startsWith('ipv4:')) a = a.slice(5);
  else if (a.startsWith('ipv6:')) a = a.slice(5);
  if (a === '' || a.startsWith('unix:')) return undefined;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(a) ?? /^([^:]+)(?::(\d+))?$/.exec(a);
  if (m === null) return { host: a };
  return m[2] === undefined ? { host: m[1]! } : { host: m[1]!, port: Number(m[2]) };
}

/** The server a client call goes to, from its target (`direct:///h:p`, `discovery:///name`, URL). */
function targetAddress(target: string): { host: string; port?: number } | undefined {
  const i = target.indexOf(':///');
  if (i !== -1) return splitAddress(target.slice(i + 4).split(',')[0] ?? '');
  try {
    const u = new URL(target);
    return u.hostname
      ? { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : undefined }
      : undefined;
  } catch {
    return splitAddress(target);
  }
}

interface HttpRaw {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; remotePort?: number };
}
interface GrpcRaw {
  getPeer(): string;
}

function serverAttributes(ctx: Context): Attributes {
  const attrs: Attributes = { 'rpc.system': ctx.kind };
  splitOperation(ctx.operation, attrs);
  const raw = nativeOf(ctx);
  if (typeof raw !== 'object' || raw === null) return attrs;
  if (typeof (raw as Partial<GrpcRaw>).getPeer === 'function') {
    let peer: string | undefined;
    try {
      peer = (raw as GrpcRaw).getPeer();
    } catch {
      peer = undefined;
    }
    const p = peer === undefined ? undefined : splitAddress(peer);
    if (p) {
      attrs['network.peer.address'] = p.host;
      if (p.port !== undefined) attrs['network.peer.port'] = p.port;
    }
  } else if (ctx.kind === 'http') {
    const r = raw as HttpRaw;
    if (r.method) attrs['http.request.method'] = r.method;
    if (r.url) {
      const q = r.url.indexOf('?');
      attrs['url.path'] = q === -1 ? r.url : r.url.slice(0, q);
    }
    const host = r.headers?.host;
    const h = typeof host === 'string' ? splitAddress(host) : undefined;
    if (h) {
      attrs['server.address'] = h.host;
      if (h.port !== undefined) attrs['server.port'] = h.port;
    }
    const socket = r.socket;
    if (socket?.remoteAddress) attrs['network.peer.address'] = socket.remoteAddress;
    if (socket?.remotePort !== undefined) attrs['network.peer.port'] = socket.remotePort;
  }
  return attrs;
}

function clientAttributes(ctx: Context): Attributes {
  const attrs: Attributes = { 'rpc.system': ctx.kind };
  splitOperation(ctx.operation, attrs);
  const target = ctx.endpoint ? targetAddress(ctx.endpoint) : undefined;
  if (target) {
    attrs['server.address'] = target.host;
    if (target.port !== undefined) attrs['server.port'] = target.port;
  }
  return attrs;
}

function succeeded(ctx: Context, span: Span): void {
  if (ctx.kind === 'grpc') span.setAttribute('rpc.grpc.status_code', 0);
  else if (ctx.kind === 'http') span.setAttribute('http.response.status_code', 200);
  span.end();
}

function failed(ctx: Context, span: Span, error: unknown): void {
  const e = KratosError.fromError(error);
  if (ctx.kind === 'grpc') span.setAttribute('rpc.grpc.status_code', httpToGrpcCode(e.code));
  else if (ctx.kind === 'http') span.setAttribute('http.response.status_code', e.code);
  span.setAttribute('error.type', e.reason || String(e.code));
  span.recordException(error instanceof Error ? error : e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  span.end();
}

function run(
  ctx: Context,
  req: unknown,
  span: Span,
  active: ReturnType<typeof otelContext.active>,
  next: (c: Context, r: unknown) => Promise<unknown>,
) {
  ctx.set(SPAN_KEY, span);
  let p: Promise<unknown>;
  try {
    // Active in OpenTelemetry's context too (with a context manager registered), so libraries
    // instrumented with OpenTelemetry inside the handler nest under this span.
    p = otelContext.with(active, next, undefined, ctx, req);
  } catch (err) {
    p = Promise.reject(err);
  }
  return p.then(
    (reply) => {
      succeeded(ctx, span);
      return reply;
    },
    (err: unknown) => {
      failed(ctx, span, err);
      throw err;
    },
  );
}

/**
 * Go Kratos' `tracing.Server`: a SERVER span per handled call, named by the operation, child of
 * the caller's span when the request carries a valid `traceparent` (a malformed one starts a new
 * trace). The span is kept on the call's Context ({@link SPAN_KEY}) so client calls made with
 * `{ ctx }` nest under it, and is active in OpenTelemetry's context while the handler runs.
 */
export function serverTracing(options: TracingOptions = {}): Middleware {
  const tracer = tracerOf(options);
  const propagator = options.propagator ?? w3cTraceContextPropagator;
  return (next) => (ctx, req) => {
    const parent = propagator.extract(ROOT_CONTEXT, ctx.requestHeader, metadataGetter);
    const span = tracer.startSpan(
      ctx.operation || 'unknown',
      { kind: SpanKind.SERVER, attributes: serverAttributes(ctx) },
      parent,
    );
    return run(ctx, req, span, trace.setSpan(parent, span), next);
  };
}

/**
 * Go Kratos' `tracing.Client`: a CLIENT span per outgoing call whose parent is the span of the
 * server call it is made within (`options.ctx` of the call), else OpenTelemetry's active span;
 * the span's context is injected into the request headers (`traceparent`), which both transports
 * send (HTTP headers, gRPC metadata).
 */
export function clientTracing(options: TracingOptions = {}): Middleware {
  const tracer = tracerOf(options);
  const propagator = options.propagator ?? w3cTraceContextPropagator;
  return (next) => (ctx, req) => {
    const active = otelContext.active();
    const parentSpan = ctx.parent?.get(SPAN_KEY);
    const parent = parentSpan === undefined ? active : trace.setSpan(active, parentSpan);
    const span = tracer.startSpan(
      ctx.operation || 'unknown',
      { kind: SpanKind.CLIENT, attributes: clientAttributes(ctx) },
      parent,
    );
    const current = trace.setSpan(parent, span);
    propagator.inject(current, ctx.requestHeader, metadataSetter);
    return run(ctx, req, span, current, next);
  };
}

function currentSpan(ctx: Context | undefined): Span | undefined {
  const span = ctx?.get(SPAN_KEY) ?? trace.getSpan(otelContext.active());
  return span !== undefined && isSpanContextValid(span.spanContext()) ? span : undefined;
}

/**
 * A log valuer of the trace id of the call running now (Go Kratos' `tracing.TraceID()`), `''`
 * outside traced calls: `withFields(logger, 'trace.id', traceIdValuer())`. Log valuers get the
 * call's Context only when the chain has core's `asyncContext()` middleware; without it, the
 * span active in OpenTelemetry's context (with a context manager registered) is used.
 */
export function traceIdValuer(): Valuer {
  return valuer((ctx) => currentSpan(ctx)?.spanContext().traceId ?? '');
}

/** A log valuer of the span id of the call running now (Go Kratos' `tracing.SpanID()`). */
export function spanIdValuer(): Valuer {
  return valuer((ctx) => currentSpan(ctx)?.spanContext().spanId ?? '');
}
