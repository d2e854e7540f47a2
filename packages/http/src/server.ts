import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import {
  type AppInfo,
  advertisedHost,
  type CallContext,
  type Codec,
  createDeadlineTimer,
  createLogHelper,
  defaultLogger,
  joinHostPort,
  KratosError,
  newEndpoint,
  pinNextTickShape,
  type ServerStartOptions,
  type ServerStopOptions,
  splitHostPort,
} from '@kratos/core';
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { codecError } from './binding.ts';
import { errorBody, httpStatus, statusError, toKratosError, writeRawError } from './errors.ts';
import { codecForAccept, toCodecRegistry, withJsonCharset } from './message-codec.ts';
import { nodeHttp, nodeHttps } from './node-http.ts';
import { CompiledRoute, type QueryValues } from './route.ts';
import { RouteTable, rawPath } from './route-table.ts';
import { lazySchemaCompilers } from './schema-compilers.ts';
import { HttpServerContext, writeHeaders } from './server-context.ts';
import type { HttpServer, HttpServerOptions } from './server-options.ts';
import type { HttpHandler, HttpRouteDesc } from './types.ts';

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
const JSON_CONTENT_TYPE = withJsonCharset('application/json');
/** Makes an HTTP server on fastify 5. Routes are registered before `start`. */
export function createHttpServer(options: HttpServerOptions = {}): HttpServer {
  const address = options.address ?? '0.0.0.0:8000';
  const { host, port } = splitHostPort(address);
  const timeout = options.timeout ?? 1000;
  const middleware = [...(options.middleware ?? [])];
  const registry = toCodecRegistry(options.codecs);
  const json = registry.byName('json')!;
  const log = createLogHelper(options.logger ?? defaultLogger());
  const timer = createDeadlineTimer();
  const tls = options.tls;

  let closing = false;
  let started = false;
  let app: AppInfo | undefined;
  let endpoint: URL | undefined =
    options.endpoint === undefined ? undefined : new URL(String(options.endpoint));
  let endpointText = endpoint?.toString() ?? '';
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
  const sockets = new Set<Socket>();

  const fastify = Fastify({
    ...options.fastify,
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: options.keepAliveTimeout ?? 72_000,
    routerOptions: { maxParamLength: 1000, ...options.fastify?.routerOptions },
    schemaController: {
      ...options.fastify?.schemaController,
      compilersFactory: { ...lazySchemaCompilers, ...options.fastify?.schemaController?.compilersFactory },
    },
    serverFactory(handler) {
      // Refusing during stop here (one boolean per request) instead of fastify's
      // return503OnClosing keeps the refusal a Kratos body.
      const onRequest = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]) => {
        if (closing) {
          writeRawError(res, statusError(503, 'server is shutting down'), { connection: 'close' });
          return;
        }
        handler(req, res);
      };
      const serverOptions =
        options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize };
      const server = tls
        ? nodeHttps().createServer(
            {
              ...serverOptions,
              key: tls.key,
              cert: tls.cert,
              ca: tls.ca,
              requestCert: tls.requestCert ?? false,
            },
            onRequest,
          )
        : nodeHttp.createServer(serverOptions, onRequest);
      server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
      // Per connection (not per request): lets stop() close connections that never sent a byte
      // (preconnected by clients), which Node's closeIdleConnections leaves open.
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      return server;
    },
    clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const status =
        err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = errorBody(
        statusError(status, status === 431 ? 'request header too large' : 'malformed request'),
      );
      socket.end(
        `HTTP/1.1 ${status} ${nodeHttp.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    frameworkErrors(err, _request, reply) {
      sendError(reply, toKratosError(err), undefined);
    },
  } as FastifyServerOptions);

  // Codecs see raw bytes: one buffer parser for every content type (replaces fastify's JSON/text ones).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  for (const filter of options.filters ?? []) {
    fastify.addHook('onRequest', async (request, reply) => {
      await filter(request, reply);
      if (reply.sent) return reply;
      return undefined;
    });
  }
  fastify.setErrorHandler((err, _request, reply) => {
    sendError(reply, toKratosError(err), undefined);
  });
  fastify.setNotFoundHandler((request, reply) => notFound(request, reply, rawPath(request.raw.url)));

  function sendError(reply: FastifyReply, err: KratosError, ctx: CallContext | undefined): void {
    if (reply.sent) return;
    const replyHeader = ctx?.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(reply, replyHeader);
    if (closing) reply.header('connection', 'close');
    reply.code(httpStatus(err.code)).type(JSON_CONTENT_TYPE).send(errorBody(err));
  }

  function notFound(request: FastifyRequest, reply: FastifyReply, path: string, malformed = false): void {
    if (malformed) {
      sendError(reply, codecError(`malformed percent-encoding in ${path}`), undefined);
      return;
    }
    const method = request.raw.method ?? 'GET';
    const allowed = routes.allowed(method, path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      sendError(reply, statusError(405, `method ${method} not allowed on ${path}`), undefined);
      return;
    }
    sendError(reply, statusError(404, `no route for ${method} ${path}`), undefined);
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

  function requestCodec(headers: IncomingHttpHeaders): Codec | undefined {
    const ct = headers['content-type'];
    return ct === undefined ? undefined : registry.byContentType(ct);
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

  function serve(
    route: CompiledRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    vars: readonly string[] | undefined,
  ): void {
    const headers = request.raw.headers;
    const ctx = new HttpServerContext(
      {
        kind: 'http',
        side: 'server',
        operation: route.operation,
        endpoint: endpointText,
        app,
        deadline: timeout > 0 ? Date.now() + timeout : undefined,
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
      sendError(reply, toKratosError(err), undefined);
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
        let body: string | Uint8Array;
        let codec: Codec;
        try {
          codec = replyCodec(headers);
          body = route.encode(codec, out);
        } catch (err) {
          sendError(reply, KratosError.fromError(err), ctx);
          return;
        }
        const replyHeader = ctx.replyHeaderIfAny();
        if (replyHeader !== undefined) writeHeaders(reply, replyHeader);
        if (closing) reply.header('connection', 'close');
        reply
          .type(replyContentType(codec))
          .send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      },
      (err) => {
        ctx.disarmDeadline();
        if (ctx.settled) return;
        ctx.settled = true;
        sendError(reply, KratosError.fromError(err), ctx);
      },
    );
  }

  const routes = new RouteTable(fastify, serve, notFound);

  function assertNotStarted(what: string): void {
    if (started) throw new Error(`cannot add ${what} after the HTTP server started`);
  }

  const server: HttpServer = {
    get fastify() {
      return fastify;
    },

    route<I, O>(desc: HttpRouteDesc, handler: HttpHandler<I, O>): void {
      assertNotStarted(`route ${desc.method} ${desc.path}`);
      routes.add(new CompiledRoute(desc, handler as HttpHandler<never, unknown>, middleware));
    },

    handle(method, path, handler) {
      const methods = (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase());
      assertNotStarted(`route ${methods.join(',')} ${path}`);
      routes.addPlain(methods, path, handler as never);
    },

    get(path, handler) {
      server.handle('GET', path, handler);
    },

    address() {
      const a = fastify.server.address();
      return a !== null && typeof a === 'object' ? a : undefined;
    },

    endpoint() {
      if (endpoint === undefined) throw new Error('the HTTP server has no endpoint before start()');
      return endpoint;
    },

    async start(startOptions: ServerStartOptions = {}) {
      if (started) throw new Error('the HTTP server is already started');
      started = true;
      closing = false;
      app = startOptions.app;
      await pinNextTickShape();
      await fastify.listen({ host, port });
      const actual = server.address()!;
      if (endpoint === undefined) {
        endpoint = newEndpoint('http', joinHostPort(advertisedHost(host), actual.port), tls !== undefined);
        endpointText = endpoint.toString();
      }
      log.infow('msg', `[HTTP] server listening on: ${joinHostPort(actual.address, actual.port)}`);
    },

    async stop(stopOptions: ServerStopOptions = {}) {
      if (!started || closing) return;
      closing = true;
      const signal = stopOptions.signal;
      const force = () => fastify.server.closeAllConnections();
      if (signal?.aborted) force();
      else signal?.addEventListener('abort', force, { once: true });
      const closed = fastify.close();
      for (const socket of sockets) {
        if (socket.bytesRead === 0) socket.destroy();
      }
      try {
        await closed;
      } finally {
        signal?.removeEventListener('abort', force);
        timer.close();
        log.infow('msg', '[HTTP] server stopping');
      }
    },
  };
  return server;
}
