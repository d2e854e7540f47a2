// The per-request path of the HTTP server, top to bottom: a matched route's request becomes a
// context, its message is bound, the deadline armed, the middleware chain run, and the reply (or
// the Kratos error) written. The server (server.ts) keeps the lifecycle: listening, draining,
// stopping.
import type { IncomingHttpHeaders } from 'node:http';
import {
  type AppInfo,
  type CallContext,
  type Codec,
  type CodecRegistry,
  type DeadlineTimer,
  KratosError,
} from '@kratos/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codecError } from './binding.ts';
import { errorBody, httpStatus, statusError, toKratosError } from './errors.ts';
import { codecForAccept, withJsonCharset } from './message-codec.ts';
import type { CompiledRoute, QueryValues } from './route.ts';
import type { NoRoute, ServeRoute } from './route-table.ts';
import { HttpServerContext, writeHeaders } from './server-context.ts';

const JSON_CONTENT_TYPE = withJsonCharset('application/json');

/** What the call path reads of the server's state on every request. */
export interface HttpServerState {
  /** The server is stopping: every reply says `Connection: close`. */
  closing: boolean;
  /** The advertised endpoint, as `ctx.endpoint`. */
  endpoint: string;
  app: AppInfo | undefined;
}

/** Inputs of {@link createCallPath}, fixed for the server's life. */
export interface CallPathOptions {
  registry: CodecRegistry;
  /** Handler deadline, ms; 0 or less: none. */
  timeout: number;
  timer: DeadlineTimer;
  state: HttpServerState;
  /** The other methods routes take on `path` (for 405's `Allow`). */
  allowed(method: string, path: string): string[];
}

/** The HTTP server's call path. */
export interface CallPath {
  /** Runs a matched route. */
  serve: ServeRoute;
  /** Answers a request no route took: 404, 405 with `Allow`, or 400 for a malformed path. */
  noRoute: NoRoute;
  /** Writes `err` as a Kratos error body (with the reply header of `ctx`, if any). */
  sendError(reply: FastifyReply, err: KratosError, ctx: CallContext | undefined): void;
}

/** Builds the call path once per server: caches and callbacks shared by every request. */
export function createCallPath(options: CallPathOptions): CallPath {
  const { registry, timeout, timer, state } = options;
  const json = registry.byName('json')!;
  const acceptCache = new Map<string, Codec>();
  // Each codec's reply Content-Type, computed once (see withJsonCharset).
  const contentTypes = new Map<Codec, string>();
  const replyContentType = (codec: Codec): string => {
    let ct = contentTypes.get(codec);
    if (ct === undefined) {
      ct = withJsonCharset(codec.contentType);
      contentTypes.set(codec, ct);
    }
    return ct;
  };

  function sendError(reply: FastifyReply, err: KratosError, ctx: CallContext | undefined): void {
    if (reply.sent) return;
    const replyHeader = ctx?.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(reply, replyHeader);
    if (state.closing) reply.header('connection', 'close');
    reply.code(httpStatus(err.code)).type(JSON_CONTENT_TYPE).send(errorBody(err));
  }

  function noRoute(request: FastifyRequest, reply: FastifyReply, path: string, malformed = false): void {
    if (malformed) {
      sendError(reply, codecError(`malformed percent-encoding in ${path}`), undefined);
      return;
    }
    const method = request.raw.method ?? 'GET';
    const allowed = options.allowed(method, path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      sendError(reply, statusError(405, `method ${method} not allowed on ${path}`), undefined);
      return;
    }
    sendError(reply, statusError(404, `no route for ${method} ${path}`), undefined);
  }

  function requestCodec(headers: IncomingHttpHeaders): Codec | undefined {
    const ct = headers['content-type'];
    return ct === undefined ? undefined : registry.byContentType(ct);
  }

  function replyCodec(headers: IncomingHttpHeaders): Codec {
    const accept = headers.accept;
    if (accept !== undefined && accept !== '*/*') {
      let c = acceptCache.get(accept);
      if (c === undefined) {
        c = codecForAccept(registry, accept) ?? requestCodec(headers) ?? json;
        if (acceptCache.size < 256 && headers['content-type'] === undefined) acceptCache.set(accept, c);
      }
      return c;
    }
    return requestCodec(headers) ?? json;
  }

  // One callback for every request's deadline (the context is its argument: no closure per request).
  const onDeadline = (ctx: HttpServerContext): void => {
    ctx.expire();
    if (ctx.settled) return;
    ctx.settled = true;
    sendError(
      ctx.reply,
      KratosError.fromError(new DOMException(`deadline of ${timeout} ms exceeded`, 'TimeoutError')),
      ctx,
    );
  };

  function reply(ctx: HttpServerContext, route: CompiledRoute, headers: IncomingHttpHeaders, out: unknown) {
    let body: string | Uint8Array;
    let codec: Codec;
    try {
      codec = replyCodec(headers);
      body = route.encode(codec, out);
    } catch (err) {
      sendError(ctx.reply, KratosError.fromError(err), ctx);
      return;
    }
    const replyHeader = ctx.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(ctx.reply, replyHeader);
    if (state.closing) ctx.reply.header('connection', 'close');
    ctx.reply
      .type(replyContentType(codec))
      .send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  }

  function serve(
    route: CompiledRoute,
    request: FastifyRequest,
    fastifyReply: FastifyReply,
    vars: readonly string[] | undefined,
  ): void {
    const headers = request.raw.headers;
    const ctx = new HttpServerContext(
      {
        kind: 'http',
        side: 'server',
        operation: route.operation,
        endpoint: state.endpoint,
        app: state.app,
        deadline: timeout > 0 ? Date.now() + timeout : undefined,
        raw: request,
      },
      headers,
      fastifyReply,
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
      sendError(fastifyReply, toKratosError(err), undefined);
      return;
    }
    ctx.armDeadline(timer, onDeadline, ctx);
    let p: Promise<unknown>;
    try {
      p = route.chain(ctx, input);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (out) => {
        ctx.disarmDeadline();
        if (ctx.settled) return;
        ctx.settled = true;
        reply(ctx, route, headers, out);
      },
      (err) => {
        ctx.disarmDeadline();
        if (ctx.settled) return;
        ctx.settled = true;
        sendError(fastifyReply, KratosError.fromError(err), ctx);
      },
    );
  }

  return { serve, noRoute, sendError };
}
