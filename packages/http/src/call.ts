// The per-request path of the HTTP server, top to bottom: a matched route's request becomes a
// context, its message is bound, the deadline armed, the middleware chain run, and the reply (or
// the Kratos error) written. The server (server.ts) keeps the lifecycle: listening, draining,
// stopping.
import type { IncomingHttpHeaders } from 'node:http';
import { type AppInfo, type Codec, KratosError } from '@kratos/core';
import type { CallContext, CodecRegistry, DeadlineTimer } from '@kratos/core/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codecError } from './binding.ts';
import { isRedirector, isStreamedReply } from './bodies/replies.ts';
import { asBuffer, writeEncoded, writeHttpBody, writeSpecialReply } from './bodies/write.ts';
import type { EncodedBody, HttpEncoders } from './encoders.ts';
import { runRequestDecoder } from './encoders-run.ts';
import { errorBody, httpStatus, statusError, toKratosError } from './errors.ts';
import { codecForAccept, withJsonCharset } from './message-codec.ts';
import type { CompiledRoute, QueryValues } from './route.ts';
import type { NoRoute, ServeRoute } from './route-table.ts';
import { HttpServerContext, writeHeaders } from './server-context.ts';
import { createStreamPath } from './streaming/serve.ts';

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
  /** Deadline of a whole streamed reply, ms; 0 or less: none. Default 0. */
  streamTimeout?: number | undefined;
  /** The server's encoders (a route's own win). */
  encoders?: HttpEncoders;
}

/** The HTTP server's call path. */
export interface CallPath {
  /** Runs a matched route. */
  serve: ServeRoute;
  /** Answers a request no route took: 404, 405 with `Allow`, or 400 for a malformed path. */
  noRoute: NoRoute;
  /** Writes `err` as a Kratos error body (with the reply header of `ctx`, if any). */
  sendError(reply: FastifyReply, err: KratosError, ctx: CallContext | undefined, route?: CompiledRoute): void;
  /** Ends the open streamed replies (the server is stopping): see StreamPath.endAll. */
  endStreams(): void;
}

/** Builds the call path once per server: caches and callbacks shared by every request. */
export function createCallPath(options: CallPathOptions): CallPath {
  const { registry, timeout, timer, state } = options;
  const encoders = options.encoders ?? {};
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

  const defaultError = (err: KratosError): EncodedBody => ({
    body: errorBody(err),
    contentType: JSON_CONTENT_TYPE,
    status: httpStatus(err.code),
  });

  function sendError(
    reply: FastifyReply,
    err: KratosError,
    ctx: CallContext | undefined,
    route?: CompiledRoute,
  ): void {
    if (reply.sent) return;
    const replyHeader = ctx?.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(reply, replyHeader);
    if (state.closing) reply.header('connection', 'close');
    const encoder = route?.errorEncoder ?? encoders.errorEncoder;
    if (encoder === undefined) {
      reply.code(httpStatus(err.code)).type(JSON_CONTENT_TYPE).send(errorBody(err));
      return;
    }
    let encoded: EncodedBody;
    try {
      encoded = encoder({
        error: err,
        request: reply.request,
        route: route?.desc,
        encode: () => defaultError(err),
      });
    } catch {
      encoded = defaultError(err);
    }
    writeEncoded(reply, encoded, httpStatus(err.code));
  }

  const streams = createStreamPath({ ...options, timeout: options.streamTimeout ?? 0, sendError });
  const serveStream = streams.serve;

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
      KratosError.fromError(new DOMException(`deadline of ${ctx.timeout} ms exceeded`, 'TimeoutError')),
      ctx,
      ctx.route,
    );
  };

  function reply(ctx: HttpServerContext, route: CompiledRoute, headers: IncomingHttpHeaders, out: unknown) {
    const encoder = route.responseEncoder ?? encoders.responseEncoder;
    let body: string | Uint8Array;
    let codec: Codec;
    try {
      if (
        (route.httpBodyOut !== undefined || encoder !== undefined || isReplyObject(out)) &&
        special(ctx, route, out, encoder)
      )
        return;
      codec = replyCodec(headers);
      body = route.encode(codec, out);
    } catch (err) {
      sendError(ctx.reply, KratosError.fromError(err), ctx, route);
      return;
    }
    writeReplyHeaders(ctx);
    ctx.reply.type(replyContentType(codec)).send(typeof body === 'string' ? body : asBuffer(body));
  }

  function writeReplyHeaders(ctx: HttpServerContext): void {
    const replyHeader = ctx.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(ctx.reply, replyHeader);
    if (state.closing) ctx.reply.header('connection', 'close');
  }

  /** Writes a redirect, a streamed reply, an HttpBody or an encoder's body; false for the default path. */
  function special(
    ctx: HttpServerContext,
    route: CompiledRoute,
    out: unknown,
    encoder: HttpEncoders['responseEncoder'],
  ): boolean {
    const fastifyReply = ctx.reply;
    if (isReplyObject(out)) {
      writeReplyHeaders(ctx);
      if (writeSpecialReply(fastifyReply, out)) return true;
    }
    if (route.httpBodyOut !== undefined) {
      writeReplyHeaders(ctx);
      writeHttpBody(fastifyReply, route.httpBodyOf(out));
      return true;
    }
    if (encoder === undefined) return false;
    const message = route.toOutput(out);
    const encoded = encoder({
      ctx,
      request: fastifyReply.request,
      route: route.desc,
      message,
      json: () => route.replyJson(message),
      encode: () => {
        const codec = replyCodec(fastifyReply.request.raw.headers);
        return { body: route.encode(codec, message), contentType: replyContentType(codec), status: 200 };
      },
    });
    writeReplyHeaders(ctx);
    writeEncoded(fastifyReply, encoded, 200);
    return true;
  }

  function serve(
    route: CompiledRoute,
    request: FastifyRequest,
    fastifyReply: FastifyReply,
    vars: readonly string[] | undefined,
  ): void {
    if (route.desc.serverStreaming === true) {
      serveStream(route, request, fastifyReply, vars);
      return;
    }
    const headers = request.raw.headers;
    const routeTimeout = route.timeout ?? timeout;
    const ctx = new HttpServerContext(
      {
        kind: 'http',
        side: 'server',
        operation: route.operation,
        endpoint: state.endpoint,
        app: state.app,
        deadline: routeTimeout > 0 ? Date.now() + routeTimeout : undefined,
        raw: request,
      },
      headers,
      fastifyReply,
    );
    ctx.timeout = routeTimeout;
    ctx.route = route;
    const decoder = route.requestDecoder ?? encoders.requestDecoder;
    let input: unknown;
    try {
      input = route.bind(
        registry,
        headers['content-type'],
        route.hasBody ? (request.body as Uint8Array | undefined) : undefined,
        request.query as QueryValues | undefined,
        vars,
        decoder === undefined
          ? undefined
          : (body) => runRequestDecoder(decoder, route, request, registry, headers['content-type'], body),
      );
    } catch (err) {
      sendError(fastifyReply, toKratosError(err), undefined, route);
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
        sendError(fastifyReply, KratosError.fromError(err), ctx, route);
      },
    );
  }

  return { serve, noRoute, sendError, endStreams: streams.endAll };
}

/** A redirect or a streamed reply (what `writeSpecialReply` writes). */
function isReplyObject(out: unknown): boolean {
  return isStreamedReply(out) || isRedirector(out);
}
