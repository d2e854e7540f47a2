// The server half of streamed replies: a server-streaming RPC's handler returns an AsyncIterable;
// each message it yields is written as a Server-Sent Event or a line of newline-delimited JSON
// (chosen by Accept), under the route's deadline, until it ends, fails, or the client goes away.
import { type AppInfo, type Handler, KratosError } from '@kratos/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallPathOptions } from '../call.ts';
import { statusError, toKratosError } from '../errors.ts';
import type { CompiledRoute, QueryValues } from '../route.ts';
import { HttpServerContext } from '../server-context.ts';
import type { HttpHandler, HttpRouteDesc, HttpStreamHandler } from '../types.ts';
import { negotiateStream } from './negotiate.ts';
import { STREAM_WRITER, StreamWriter } from './writer.ts';

/** What the stream path shares with the server's call path. */
export interface StreamPathOptions {
  registry: CallPathOptions['registry'];
  /** Deadline of a whole stream, ms; 0 or less: none. */
  timeout: number;
  timer: CallPathOptions['timer'];
  state: { closing: boolean; endpoint: string; app: AppInfo | undefined };
  /** The call path's error reply (with the route, for its error encoder). */
  sendError(
    reply: FastifyReply,
    err: KratosError,
    ctx: HttpServerContext | undefined,
    route?: CompiledRoute,
  ): void;
}

/** Runs a matched server-streaming route. */
export type ServeStream = (
  route: CompiledRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  vars: readonly string[] | undefined,
) => void;

/** The server's stream path: serves stream routes, and ends the open streams when it stops. */
export interface StreamPath {
  serve: ServeStream;
  /**
   * Ends every open stream (the server is stopping): each handler's context is cancelled with a
   * 503 `SERVICE_UNAVAILABLE` error, which the stream carries as its final error frame (or as the
   * reply, before the first message); streams that start from now on get that 503 at once.
   */
  endAll(): void;
}

/** What a stream ended by the server's stop carries. */
function stoppingError(): KratosError {
  return statusError(503, 'the server is stopping');
}

/** A promise rejected when `signal` fires, with the Kratos error of its reason (504 at the deadline). */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<never>((_, reject) => {
    const fire = () => reject(KratosError.fromError(signal.reason));
    if (signal.aborted) fire();
    else {
      signal.addEventListener('abort', fire, { once: true });
      dispose = () => signal.removeEventListener('abort', fire);
    }
  });
  promise.catch(() => {});
  return { promise, dispose: () => dispose() };
}

/**
 * Wraps a stream handler so the middleware chain sees the whole stream: `next` resolves when the
 * last message is written and rejects with the error that ended it (as @kratos/grpc's stream
 * middleware). Unary routes' handlers pass through unchanged.
 */
export function streamingHandler(
  desc: HttpRouteDesc,
  handler: HttpHandler<never, unknown> | HttpStreamHandler<never, unknown>,
): HttpHandler<never, unknown> {
  if (desc.serverStreaming !== true) return handler as HttpHandler<never, unknown>;
  const stream: Handler = async (ctx, req) => {
    const writer = ctx.get(STREAM_WRITER);
    if (writer === undefined)
      throw new Error(`${desc.operation}: a stream handler runs only inside the HTTP server`);
    // HEAD: the middleware ran (it may refuse, or add reply headers); the handler does not.
    if (writer.headOnly) return undefined;
    const it = (handler as HttpStreamHandler<unknown, unknown>)(ctx, req)[Symbol.asyncIterator]();
    const stop = whenAborted(ctx.signal);
    let finished = false;
    const next = () =>
      it.next().then(
        (r) => {
          if (r.done === true) finished = true;
          return r;
        },
        (err: unknown) => {
          finished = true;
          throw err;
        },
      );
    try {
      for (;;) {
        const r = await Promise.race([next(), stop.promise]);
        if (r.done === true) return undefined;
        const drained = writer.write(r.value);
        if (drained !== undefined) await Promise.race([drained, stop.promise]);
      }
    } finally {
      stop.dispose();
      // A stream stopped early (deadline, client gone, a message that did not encode): the
      // handler's generator is ended so its `finally` blocks run.
      if (!finished) it.return?.()?.catch(() => {});
    }
  };
  return stream as HttpHandler<never, unknown>;
}

/** Builds the server's stream path once: every stream route's request goes through it. */
export function createStreamPath(options: StreamPathOptions): StreamPath {
  const { registry, timeout, timer, state, sendError } = options;
  const json = registry.byName('json')!;
  // The contexts of the streams being written, for endAll.
  const open = new Set<HttpServerContext>();
  let ended = false;

  const onDeadline = (ctx: HttpServerContext): void => ctx.expire();

  function endAll(): void {
    ended = true;
    const err = stoppingError();
    for (const ctx of open) ctx.cancel(err);
  }

  function serveStream(
    route: CompiledRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    vars: readonly string[] | undefined,
  ): void {
    const headers = request.raw.headers;
    // The route's own `timeout` option wins over the server's `streamTimeout`.
    const streamTimeout = route.timeout ?? timeout;
    const format = negotiateStream(headers.accept);
    if (format === undefined) {
      sendError(
        reply,
        statusError(406, `${route.operation} streams text/event-stream or application/x-ndjson`),
        undefined,
        route,
      );
      return;
    }
    // The server's stop has ended the open streams: later ones (a kept-alive client's request
    // during the drain) would hold it up, so they are refused, as the stop would end them.
    if (ended) {
      sendError(reply, stoppingError(), undefined, route);
      return;
    }
    const ctx = new HttpServerContext(
      {
        kind: 'http',
        side: 'server',
        operation: route.operation,
        endpoint: state.endpoint,
        app: state.app,
        deadline: streamTimeout > 0 ? Date.now() + streamTimeout : undefined,
        raw: request,
      },
      headers,
      reply,
    );
    let input: unknown;
    try {
      input = route.bind(
        registry,
        headers['content-type'],
        route.hasBody ? (request.body as Uint8Array | undefined) : undefined,
        request.query as QueryValues | undefined,
        vars,
      );
    } catch (err) {
      sendError(reply, toKratosError(err), undefined, route);
      return;
    }
    const head = (): Record<string, string | string[]> => {
      const out: Record<string, string | string[]> = {};
      const md = ctx.replyHeaderIfAny();
      if (md !== undefined) for (const [k, vs] of md) out[k] = vs.length === 1 ? vs[0]! : vs;
      if (state.closing) out.connection = 'close';
      return out;
    };
    const writer = new StreamWriter(
      format,
      reply,
      head,
      (msg) => route.encode(json, msg) as string,
      request.raw.method === 'HEAD',
    );
    ctx.set(STREAM_WRITER, writer);
    ctx.armDeadline(timer, onDeadline, ctx);
    // The client going away, the deadline or the server's stop ends the call even while
    // middleware still holds it.
    const stop = whenAborted(ctx.signal);
    open.add(ctx);
    let p: Promise<unknown>;
    try {
      p = route.chain(ctx, input);
    } catch (err) {
      p = Promise.reject(err);
    }
    Promise.race([p, stop.promise]).then(
      () => {
        open.delete(ctx);
        ctx.disarmDeadline();
        stop.dispose();
        writer.end(undefined, state.closing);
      },
      (err: unknown) => {
        open.delete(ctx);
        ctx.disarmDeadline();
        stop.dispose();
        const e = toKratosError(err);
        if (writer.started) writer.end(e, state.closing);
        else if (reply.raw.destroyed) return;
        else sendError(reply, e, ctx, route);
      },
    );
  }

  return { serve: serveStream, endAll };
}
