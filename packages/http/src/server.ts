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
import { errorBody, httpStatus, statusError, toKratosError, writeRawError } from './errors.ts';
import { codecForAccept, toCodecRegistry, withJsonCharset } from './message-codec.ts';
import { nodeHttp, nodeHttps } from './node-http.ts';
import {
  compileMatcher,
  nativeParamName,
  nativeRoutePath,
  type TemplateMatcher,
  templateShape,
  wildcardRoutePath,
} from './path-template.ts';
import { CompiledRoute, type QueryValues } from './route.ts';
import { lazySchemaCompilers } from './schema-compilers.ts';
import { HttpServerContext, writeHeaders } from './server-context.ts';
import type { HttpServer, HttpServerOptions } from './server-options.ts';
import type { HttpHandler, HttpRouteDesc } from './types.ts';

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
const JSON_CONTENT_TYPE = withJsonCharset('application/json');
const FASTIFY_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS']);

function rawPath(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

/** find-my-way path syntax -> a RegExp over raw paths, for the 405 check of plain routes. */
function plainMatcher(path: string): (p: string) => boolean {
  const re = path
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regexp = new RegExp(`^${re}/?$`);
  return (p) => regexp.test(p);
}

interface RouteGroup {
  routes: CompiledRoute[];
  matchers: TemplateMatcher[];
}

interface Matcher {
  method: string;
  test: (rawPath: string) => boolean;
}

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
  const shapes = new Map<string, string>();
  const groups = new Map<string, RouteGroup>();
  const matchers: Matcher[] = [];
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
  fastify.setNotFoundHandler((request, reply) => notFound(request, reply));

  function sendError(reply: FastifyReply, err: KratosError, ctx: CallContext | undefined): void {
    if (reply.sent) return;
    const replyHeader = ctx?.replyHeaderIfAny();
    if (replyHeader !== undefined) writeHeaders(reply, replyHeader);
    if (closing) reply.header('connection', 'close');
    reply.code(httpStatus(err.code)).type(JSON_CONTENT_TYPE).send(errorBody(err));
  }

  function notFound(request: FastifyRequest, reply: FastifyReply): void {
    const path = rawPath(request.raw.url);
    const method = request.raw.method ?? 'GET';
    const allowed = new Set<string>();
    for (const m of matchers) {
      if (m.method !== method && !allowed.has(m.method) && m.test(path)) allowed.add(m.method);
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.delete(method);
    if (allowed.size > 0) {
      reply.header('allow', [...allowed].sort().join(', '));
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
    ctx.ownDeadline();
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
    const handle = ctx.deadline === undefined ? undefined : timer.schedule(ctx.deadline, onDeadline, ctx);
    let p: Promise<unknown>;
    try {
      p = route.chain(ctx, input);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (out) => {
        handle?.cancel();
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
        handle?.cancel();
        if (ctx.settled) return;
        ctx.settled = true;
        sendError(reply, KratosError.fromError(err), ctx);
      },
    );
  }

  // Templates with multi-segment variables or verbs hang under one wildcard route per literal prefix.
  function serveGroup(group: RouteGroup, request: FastifyRequest, reply: FastifyReply): void {
    const path = rawPath(request.raw.url);
    for (let i = 0; i < group.routes.length; i++) {
      let vars: string[] | undefined;
      try {
        vars = group.matchers[i]!(path);
      } catch {
        sendError(reply, statusError(400, `malformed percent-encoding in ${path}`), undefined);
        return;
      }
      if (vars !== undefined) {
        serve(group.routes[i]!, request, reply, vars);
        return;
      }
    }
    notFound(request, reply);
  }

  function ensureMethod(method: string): void {
    if (!FASTIFY_METHODS.has(method) && !fastify.supportedMethods.includes(method)) {
      fastify.addHttpMethod(method, { hasBody: true });
    }
  }

  function assertNotStarted(what: string): void {
    if (started) throw new Error(`cannot add ${what} after the HTTP server started`);
  }

  const server: HttpServer = {
    get fastify() {
      return fastify;
    },

    route<I, O>(desc: HttpRouteDesc, handler: HttpHandler<I, O>): void {
      assertNotStarted(`route ${desc.method} ${desc.path}`);
      const route = new CompiledRoute(desc, handler as HttpHandler<never, unknown>, middleware);
      const shape = `${route.method} ${templateShape(route.template)}`;
      const existing = shapes.get(shape);
      if (existing !== undefined) {
        throw new Error(
          `duplicate route ${route.method} ${desc.path} (${desc.operation}): already bound to ${existing}`,
        );
      }
      ensureMethod(route.method);
      const matcher = compileMatcher(route.template);
      const native = nativeRoutePath(route.template);
      if (native !== undefined) {
        const n = route.template.variables.length;
        const keys = Array.from({ length: n }, (_, i) => nativeParamName(i));
        const handlerFn =
          n === 0
            ? (request: FastifyRequest, reply: FastifyReply) => serve(route, request, reply, undefined)
            : (request: FastifyRequest, reply: FastifyReply) => {
                const params = request.params as Record<string, string>;
                const vars = new Array<string>(n);
                for (let i = 0; i < n; i++) vars[i] = params[keys[i]!]!;
                serve(route, request, reply, vars);
              };
        try {
          fastify.route({ method: route.method, url: native, handler: handlerFn });
        } catch (err) {
          throw new Error(
            `cannot register route ${route.method} ${desc.path} (${desc.operation}): ${(err as Error).message}`,
          );
        }
      } else {
        const wildcard = wildcardRoutePath(route.template);
        const key = `${route.method} ${wildcard}`;
        let group = groups.get(key);
        if (group === undefined) {
          const g: RouteGroup = { routes: [], matchers: [] };
          group = g;
          groups.set(key, g);
          fastify.route({
            method: route.method,
            url: wildcard,
            handler: (request, reply) => serveGroup(g, request, reply),
          });
        }
        group.routes.push(route);
        group.matchers.push(matcher);
      }
      shapes.set(shape, `${desc.path} (${desc.operation})`);
      matchers.push({
        method: route.method,
        test: (p) => {
          try {
            return matcher(p) !== undefined;
          } catch {
            return false;
          }
        },
      });
    },

    handle(method, path, handler) {
      const methods = (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase());
      assertNotStarted(`route ${methods.join(',')} ${path}`);
      for (const m of methods) ensureMethod(m);
      fastify.route({ method: methods, url: path, handler: handler as never });
      const test = plainMatcher(path);
      for (const m of methods) matchers.push({ method: m, test });
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
