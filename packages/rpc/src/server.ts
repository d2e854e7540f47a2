// The server's lifecycle: listening on node:http2 (h2, h2c and HTTP/1.1 on one port), routing
// each request to its method and protocol, keepalive, and the graceful stop. Calls are call.ts'.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { type AppInfo, createLogHelper, defaultLogger } from '@kratos/core';
import {
  advertisedHost,
  createDeadlineTimer,
  joinHostPort,
  newEndpoint,
  pinNextTickShape,
  type ServerStartOptions,
  type ServerStopOptions,
  splitHostPort,
  stopGracefully,
} from '@kratos/core/transport';
import {
  createHealthService,
  createReflectionIndex,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  type GrpcServer,
  healthFile,
  registerMetadataService,
  registerReflection,
  type ServingStatus,
} from '@kratos/grpc/services';
import { type CallHost, type MethodEntry, serveCall } from './call.ts';
import { createCors } from './cors.ts';
import { type Exchange, Http1Exchange, Http2Exchange } from './exchange.ts';
import { createListener } from './listener.ts';
import { methodEntries } from './methods.ts';
import { type ConnectGetQuery, connectGetWire, parseConnectQuery, wireOf } from './protocol.ts';
import type { RpcServer, RpcServerOptions } from './types.ts';

const DEFAULT_MAX_RECEIVE = 4 * 1024 * 1024;

/**
 * Makes the RPC server: gRPC, gRPC-Web and Connect on one node:http2 port, every call through
 * the Kratos middleware chain, with grpc.health.v1 and reflection from @kratos/grpc.
 */
export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  const address = options.address ?? '0.0.0.0:9000';
  const middleware = options.middleware ?? [];
  const streamMiddleware = options.streamMiddleware ?? [];
  const log = createLogHelper(options.logger ?? defaultLogger());
  const cors = options.cors ? createCors(options.cors) : undefined;
  const methods = new Map<string, MethodEntry>();
  const services = new Set<string>();
  const reflection = options.reflection === false ? undefined : createReflectionIndex();
  const health = options.health === false ? undefined : createHealthService();
  const sessions = new Set<Http2Session>();
  let inflight = 0;
  let drained: (() => void) | undefined;
  let app: AppInfo | undefined;
  let endpoint: URL | undefined;
  let port = 0;
  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';

  const host: CallHost & { endpoint: string; app: AppInfo | undefined } = {
    timer: createDeadlineTimer(),
    timeout: options.timeout ?? 1000,
    maxReceive: options.maxReceiveMessageSize ?? DEFAULT_MAX_RECEIVE,
    maxSend: options.maxSendMessageSize ?? Number.POSITIVE_INFINITY,
    limiter: options.limiter,
    endpoint: '',
    app: undefined,
    corsHeaders: cors ? (origin) => cors.headers(origin) : () => undefined,
    begin: () => {
      inflight++;
    },
    end: () => {
      if (--inflight === 0) drained?.();
    },
  };

  const plain = (ex: Exchange, status: number, text: string) => {
    const body = Buffer.from(text, 'utf8');
    const headers = { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length };
    const c = host.corsHeaders(ex.headers.origin);
    ex.respond(status, c ? Object.assign(headers, c) : headers, false);
    ex.end(body, undefined);
  };

  const route = (ex: Exchange) => {
    const method = ex.method;
    if (method === 'OPTIONS' && cors && ex.headers['access-control-request-method'] !== undefined) {
      const answer = cors.preflight(ex.headers);
      ex.respond(answer.status, answer.headers, true);
      ex.body.resume();
      return;
    }
    const entry = methods.get(ex.path);
    let wire = method === 'POST' ? wireOf(ex.headers['content-type']) : undefined;
    let get: ConnectGetQuery | undefined;
    if (method === 'GET') {
      get = parseConnectQuery(ex.query);
      wire = connectGetWire(get.encoding);
      if (wire && entry && !entry.idempotent) wire = undefined;
      if (!wire) return plain(ex, 405, 'only POST, or GET of side-effect-free methods with ?encoding=');
    }
    if (!wire) {
      ex.body.resume();
      return plain(ex, 415, `unsupported content-type ${ex.headers['content-type'] ?? '(none)'}`);
    }
    if (wire.protocol === 'grpc' && !ex.http2)
      return plain(ex, 505, 'gRPC needs HTTP/2; use gRPC-Web or Connect');
    const connect = wire.protocol === 'connect' || wire.protocol === 'connect-stream';
    if (entry && connect && (wire.protocol === 'connect') !== (entry.kind === 'unary')) {
      ex.body.resume();
      return plain(ex, 415, `${wire.contentType} does not fit a ${entry.kind} method`);
    }
    serveCall(host, ex, entry, wire, get);
  };

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    route(new Http2Exchange(stream, headers));
  };
  const http1Sockets = new Set<IncomingMessage['socket']>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!http1Sockets.has(socket)) {
      http1Sockets.add(socket);
      socket.once('close', () => http1Sockets.delete(socket));
    }
    if (state === 'stopping') res.shouldKeepAlive = false;
    route(new Http1Exchange(req, res));
  };

  const listener = createListener({
    tls: options.tls,
    http1: options.http1 ?? true,
    maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
    onStream,
    onRequest,
    onSession(session) {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      session.on('error', () => {});
      keepalive(session);
    },
  });
  const raw = listener.server;
  const sockets = listener.sockets;

  const pingEvery = options.keepalive?.time ?? 7_200_000;
  const pingTimeout = options.keepalive?.timeout ?? 20_000;
  const keepalive = (session: Http2Session) => {
    if (pingEvery <= 0) return;
    const interval = setInterval(() => {
      const unanswered = setTimeout(() => session.destroy(), pingTimeout);
      unanswered.unref();
      const sent = session.ping((err) => {
        clearTimeout(unanswered);
        if (err) session.destroy();
      });
      if (!sent) clearTimeout(unanswered);
    }, pingEvery);
    interval.unref();
    session.once('close', () => clearInterval(interval));
  };

  const server: RpcServer = {
    registerService(definition, handlers, opts) {
      if (state === 'stopping' || state === 'stopped')
        throw new Error('rpc server: registerService after stop');
      const { service, entries } = methodEntries(
        definition,
        handlers,
        opts?.file,
        middleware,
        streamMiddleware,
      );
      if (services.has(service)) throw new Error(`rpc server: service ${service} registered twice`);
      services.add(service);
      for (const e of entries) methods.set(e.operation, e);
      reflection?.addService(service, opts?.file);
      health?.set(service, state === 'running' ? 'SERVING' : 'NOT_SERVING');
    },

    setServingStatus(service: string, status: ServingStatus) {
      health?.set(service, status);
    },

    async start(startOptions?: ServerStartOptions) {
      if (state !== 'idle') throw new Error(`rpc server: start called when ${state}`);
      state = 'starting';
      app = startOptions?.app;
      host.app = app;
      await pinNextTickShape();
      const { host: h, port: p } = splitHostPort(address);
      try {
        await new Promise<void>((resolve, reject) => {
          raw.once('error', reject);
          raw.listen(Number(p), h === '' ? undefined : h, () => {
            raw.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        state = 'idle';
        throw e;
      }
      const bound = raw.address();
      port = typeof bound === 'object' && bound ? bound.port : Number(p);
      endpoint =
        options.endpoint !== undefined
          ? new URL(String(options.endpoint))
          : newEndpoint('grpc', joinHostPort(advertisedHost(h), port), options.tls !== undefined);
      host.endpoint = endpoint.toString();
      health?.resume();
      state = 'running';
      log.infow('msg', `[RPC] server listening on: ${joinHostPort(h === '' ? '0.0.0.0' : h, port)}`);
    },

    async stop(stopOptions?: ServerStopOptions) {
      if (state === 'stopped' || state === 'idle') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      health?.shutdown();
      const closed = new Promise<void>((resolve) => raw.close(() => resolve()));
      await stopGracefully(
        stopOptions?.signal,
        async () => {
          // GOAWAY to every HTTP/2 session: open streams finish, new ones go elsewhere.
          for (const s of sessions) s.close();
          if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
          // HTTP/1.1 connections left are idle once no call is in flight (end() flushes what is
          // queued first); HTTP/2 sessions close by themselves after their last stream.
          for (const s of http1Sockets) if (!s.destroyed) s.end();
          await closed;
        },
        () => {
          for (const s of sessions) s.destroy();
          for (const s of sockets) s.destroy();
          drained?.();
        },
      );
      host.timer.close();
      state = 'stopped';
      log.infow('msg', '[RPC] server stopped');
    },

    endpoint() {
      if (!endpoint) throw new Error('rpc server: endpoint() before start()');
      return endpoint;
    },

    get port() {
      return port;
    },
  };

  if (options.metadata !== false) registerMetadataService(server);
  if (health)
    server.registerService(
      health.definition,
      health.handlers,
      reflection ? { file: healthFile() } : undefined,
    );
  if (reflection) registerReflection(server as unknown as GrpcServer, reflection, () => [...services]);
  return server;
}
