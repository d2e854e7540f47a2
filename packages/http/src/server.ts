import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createLogHelper, defaultLogger } from '@kratos/core';
import {
  advertisedHost,
  createDeadlineTimer,
  joinHostPort,
  newEndpoint,
  pinNextTickShape,
  type ServerStartOptions,
  type ServerStopOptions,
  splitHostPort,
} from '@kratos/core/transport';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { admit } from './admission.ts';
import { registerMultipart } from './bodies/multipart.ts';
import { createCallPath, type HttpServerState } from './call.ts';
import { Connections } from './connections.ts';
import type { HttpRouteOptions } from './encoders.ts';
import { errorBody, statusError, toKratosError, writeRawError } from './errors.ts';
import { toCodecRegistry } from './message-codec.ts';
import { nodeHttp, nodeHttps } from './node-http.ts';
import { registerPlugins } from './plugins.ts';
import { CompiledRoute } from './route.ts';
import { RouteTable, rawPath } from './route-table.ts';
import { lazySchemaCompilers } from './schema-compilers.ts';
import { type HttpServer, type HttpServerOptions, serverLimits } from './server-options.ts';
import { streamingHandler } from './streaming/serve.ts';
import type { HttpHandler, HttpRouteDesc, HttpStreamHandler } from './types.ts';

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/** The answer to a request the HTTP parser refused (or timed out), written on the socket. */
function clientErrorReply(err: NodeJS.ErrnoException): string {
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : err.code === 'HPE_INVALID_METHOD'
          ? 501
          : 400;
  const message =
    status === 431
      ? 'request header too large'
      : status === 408
        ? 'request not received in time'
        : status === 501
          ? 'request method not implemented'
          : 'malformed request';
  const body = errorBody(statusError(status, message));
  return `HTTP/1.1 ${status} ${nodeHttp.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Makes an HTTP server on fastify 5. Routes are registered before `start`. */
export function createHttpServer(options: HttpServerOptions = {}): HttpServer {
  const address = options.address ?? '0.0.0.0:8000';
  const { host, port } = splitHostPort(address);
  const limits = serverLimits(options);
  const middleware = [...(options.middleware ?? [])];
  const log = createLogHelper(options.logger ?? defaultLogger());
  const timer = createDeadlineTimer();
  const tls = options.tls;
  const state: HttpServerState = { closing: false, endpoint: '', app: undefined };
  let started = false;
  let endpoint: URL | undefined =
    options.endpoint === undefined ? undefined : new URL(String(options.endpoint));
  state.endpoint = endpoint?.toString() ?? '';
  const connections = new Connections();
  const limiter = options.limiter;

  const fastify = Fastify({
    ...options.fastify,
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: limits.keepAliveTimeout,
    routerOptions: { maxParamLength: 1000, ...options.fastify?.routerOptions },
    schemaController: {
      ...options.fastify?.schemaController,
      compilersFactory: { ...lazySchemaCompilers, ...options.fastify?.schemaController?.compilersFactory },
    },
    serverFactory(handler) {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        // HTTP/1 parsers accept any `HTTP/x.y` request line; only 1.0 and 1.1 mean what they say.
        if (req.httpVersionMajor !== 1) {
          writeRawError(res, statusError(505, `HTTP/${req.httpVersion} is not supported here`), {
            connection: 'close',
          });
          return;
        }
        // Draining: still served (a kept-alive client may have sent it as the stop began), but
        // the connection closes after the reply.
        if (state.closing) res.setHeader('connection', 'close');
        // Early admission: shed before routing and before the body is read (admission.ts).
        if (limiter !== undefined && !admit(limiter, res)) return;
        handler(req as never, res as never);
      };
      const serverOptions = {
        ...(options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize }),
        headersTimeout: limits.headerTimeout,
        requestTimeout: limits.requestTimeout,
        connectionsCheckingInterval: limits.checkInterval,
      };
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
      server.keepAliveTimeout = limits.keepAliveTimeout;
      server.on('connection', (socket: Socket) => connections.add(socket));
      return server;
    },
    clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const reply = clientErrorReply(err);
      // A peer that stalls (header or request timeout) is not waited for to close its side.
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.end(reply, () => socket.destroy());
      else socket.end(reply);
    },
    frameworkErrors(err, _request, reply) {
      call.sendError(reply, toKratosError(err), undefined);
    },
  } as FastifyServerOptions);

  // Codecs see raw bytes: one buffer parser for every content type (replaces fastify's JSON/text ones).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Uploads are streamed to the handler (their parser reads nothing); CORS and compression hooks.
  if (options.multipart !== undefined && options.multipart !== false) {
    registerMultipart(
      fastify,
      options.multipart === true ? {} : options.multipart,
      options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    );
  }
  // Registered before the filters: fastify runs hooks in registration order, so CORS headers are on
  // a preflight or a request a filter refuses (a browser could not read that answer otherwise).
  const addRoute = registerPlugins(fastify, options);
  for (const filter of options.filters ?? []) {
    fastify.addHook('onRequest', async (request, reply) => {
      await filter(request, reply);
      if (reply.sent) return reply;
      return undefined;
    });
  }
  fastify.setErrorHandler((err, request, reply) => {
    // No route took it: the route's answer (404, or 405 with Allow) wins over what fastify
    // found wrong with a body nobody would read (QUERY without Content-Type, a body too large).
    if (request.is404) call.noRoute(request, reply, rawPath(request.raw.url), false);
    else call.sendError(reply, toKratosError(err), undefined);
  });
  fastify.setNotFoundHandler((request, reply) =>
    call.noRoute(request, reply, rawPath(request.raw.url), false),
  );

  const call = createCallPath({
    registry: toCodecRegistry(options.codecs),
    timeout: limits.timeout,
    timer,
    state,
    allowed: (method, path) => routes.allowed(method, path),
    streamTimeout: options.streamTimeout,
    encoders: {
      requestDecoder: options.requestDecoder,
      responseEncoder: options.responseEncoder,
      errorEncoder: options.errorEncoder,
    },
  });
  const routes = new RouteTable(fastify, call.serve, call.noRoute, addRoute);

  function assertNotStarted(what: string): void {
    if (started) throw new Error(`cannot add ${what} after the HTTP server started`);
  }

  const server: HttpServer = {
    get fastify() {
      return fastify;
    },

    route<I, O>(
      desc: HttpRouteDesc,
      handler: HttpHandler<I, O> | HttpStreamHandler<I, O>,
      routeOptions?: HttpRouteOptions,
    ): void {
      assertNotStarted(`route ${desc.method} ${desc.path}`);
      routes.add(new CompiledRoute(desc, streamingHandler(desc, handler as never), middleware, routeOptions));
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
      state.closing = false;
      state.app = startOptions.app;
      await pinNextTickShape();
      await fastify.listen({ host, port });
      const actual = server.address()!;
      if (endpoint === undefined) {
        endpoint = newEndpoint('http', joinHostPort(advertisedHost(host), actual.port), tls !== undefined);
        state.endpoint = endpoint.toString();
      }
      log.infow('msg', `[HTTP] server listening on: ${joinHostPort(actual.address, actual.port)}`);
    },

    async stop(stopOptions: ServerStopOptions = {}) {
      if (!started || state.closing) return;
      state.closing = true;
      const http = fastify.server;
      const signal = stopOptions.signal;
      const force = () => {
        http.closeAllConnections();
        connections.destroyAll();
      };
      if (signal?.aborted) force();
      else signal?.addEventListener('abort', force, { once: true });
      try {
        // 1. New connections are refused at once; the open ones are served on, each reply
        // saying `Connection: close`, so in-flight requests finish and clients move elsewhere.
        connections.stopAccepting(http);
        // 2. An idle keep-alive connection may carry one more request from a client that has not
        // heard of the stop yet: it gets `idleGrace` before it is closed under that client.
        await connections.settle(limits.idleGrace, signal);
        // 3. Open streamed replies (SSE / NDJSON, which may never end on their own) end now with
        // a final 503 frame, their handlers cancelled. What is still idle closes (fastify.close
        // closes idle connections); requests in flight finish, within the caller's stop signal.
        call.endStreams();
        connections.destroyUnused();
        await fastify.close();
      } finally {
        signal?.removeEventListener('abort', force);
        timer.close();
        log.infow('msg', '[HTTP] server stopping');
      }
    },
  };
  return server;
}
