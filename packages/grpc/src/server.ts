import {
  type MethodDefinition,
  Server as RawServer,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerInterceptor,
  type ServerOptions,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  type AppInfo,
  advertisedHost,
  applyMiddleware,
  type CallContext,
  type Context,
  createContextKey,
  createDeadlineTimer,
  createLogHelper,
  defaultLogger,
  type Handler,
  joinHostPort,
  KratosError,
  newEndpoint,
  pinNextTickShape,
  type ServerStartOptions,
  type ServerStopOptions,
  splitHostPort,
} from '@kratos/core';

import { createHealthService, type HealthService, healthFile } from './health.ts';
import { toGrpcMetadata } from './metadata.ts';
import { createReflectionIndex, registerReflection } from './reflection.ts';
import { InvalidMessage, safeDeserializer } from './request-message.ts';
import { GrpcServerContext, type ServerSurfaceCall } from './server-context.ts';
import { limitChannelOptions, requestTimeoutInterceptor } from './server-limits.ts';
import { toGrpcStatus } from './status.ts';
import { pump, requestStream } from './streams.ts';
import type {
  GrpcBidiStreamHandler,
  GrpcClientStreamHandler,
  GrpcMethodHandler,
  GrpcMethodKind,
  GrpcServer,
  GrpcServerOptions,
  GrpcServerStreamHandler,
  GrpcUnaryHandler,
  RegisterServiceOptions,
  ServingStatus,
} from './types.ts';

/** The kind of a method from its stream flags. */
export function methodKind(
  m: Pick<MethodDefinition<unknown, unknown>, 'requestStream' | 'responseStream'>,
): GrpcMethodKind {
  if (m.requestStream) return m.responseStream ? 'bidi' : 'clientStream';
  return m.responseStream ? 'serverStream' : 'unary';
}

/** `pkg.Service` from `/pkg.Service/Method`. */
export function serviceNameOf(path: string): string {
  const slash = path.indexOf('/', 1);
  return path.slice(1, slash < 0 ? undefined : slash);
}

const CALL_KEY = createContextKey<ServerSurfaceCall>('grpc.call');

const deadlineExceeded = () => new KratosError(504, '', 'deadline exceeded');

/**
 * Makes a gRPC server on grpc-js. Unary calls run `middleware` (built once per method), get a
 * deadline from the smaller of `timeout` and the caller's `grpc-timeout`, enforced by one shared
 * timer; thrown errors travel as Go Kratos error details. Health and reflection are on by default.
 */
export function createGrpcServer(options: GrpcServerOptions = {}): GrpcServer {
  const address = options.address ?? '0.0.0.0:9000';
  const timeout = options.timeout ?? 1000;
  const middleware = options.middleware ?? [];
  const streamMiddleware = options.streamMiddleware ?? [];
  const log = createLogHelper(options.logger ?? defaultLogger());
  const timer = createDeadlineTimer();
  const serverOptions: ServerOptions = limitChannelOptions(options, { ...options.channelOptions });
  if (options.maxReceiveMessageSize !== undefined) {
    serverOptions['grpc.max_receive_message_length'] = options.maxReceiveMessageSize;
  }
  if (options.maxSendMessageSize !== undefined) {
    serverOptions['grpc.max_send_message_length'] = options.maxSendMessageSize;
  }
  const requestTimeout = options.requestTimeout ?? 10_000;
  if (requestTimeout > 0) {
    serverOptions.interceptors = [
      requestTimeoutInterceptor(timer, requestTimeout),
      ...((serverOptions.interceptors as ServerInterceptor[] | undefined) ?? []),
    ];
  }
  const raw = new RawServer(serverOptions);
  const reflection = options.reflection === false ? undefined : createReflectionIndex();
  const health: HealthService | undefined = options.health === false ? undefined : createHealthService();
  const services = new Set<string>();

  let app: AppInfo | undefined;
  let endpoint: URL | undefined;
  let endpointString = '';
  let port = 0;
  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';

  const newContext = (call: ServerSurfaceCall, operation: string, unary: boolean): GrpcServerContext => {
    const incoming = call.getDeadline();
    const deadline =
      incoming instanceof Date
        ? incoming.getTime()
        : Number.isFinite(incoming)
          ? (incoming as number)
          : undefined;
    const ctx = new GrpcServerContext(
      {
        kind: 'grpc',
        side: 'server',
        operation,
        endpoint: endpointString,
        app,
        deadline,
        timeout: unary && timeout > 0 ? timeout : undefined,
        raw: call,
      },
      call,
    );
    return ctx;
  };

  // One callback for every call's deadline (the call's state is its argument: no closure per call).
  const onDeadline = (call: { ctx: GrpcServerContext; finish: (error: unknown) => void }): void => {
    call.ctx.expire();
    call.finish(deadlineExceeded());
  };

  const unaryImpl = (operation: string, handler: GrpcUnaryHandler<unknown, unknown>) => {
    const h = applyMiddleware(handler as Handler, middleware, operation);
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const ctx = newContext(call, operation, true);
      let finished = false;
      const finish = (error: unknown, reply?: unknown) => {
        if (finished) return;
        finished = true;
        ctx.finish();
        if (call.cancelled) return;
        {
          const reply = ctx.replyHeaderIfAny();
          if (reply) call.sendMetadata(toGrpcMetadata(reply));
        }
        if (error === undefined) callback(null, reply);
        else callback(toGrpcStatus(error));
      };
      // A unary call watches for its caller going away only if the chain looks (ctx.signal).
      ctx.armDeadline(timer, onDeadline, { ctx, finish });
      const req = call.request;
      if (req instanceof InvalidMessage) return finish(req.error);
      let p: Promise<unknown>;
      try {
        p = h(ctx, req);
      } catch (e) {
        return finish(e ?? new Error('handler threw'));
      }
      p.then(
        (r) => finish(undefined, r),
        (e) => finish(e ?? new Error('handler failed')),
      );
    };
  };

  /**
   * Runs a streaming call through the stream middleware. `req` is the request message (server
   * streaming) or the request stream; `onDone` answers the call once the chain settles.
   */
  const streamCall = (
    call: ServerSurfaceCall,
    operation: string,
    h: Handler,
    makeReq: (ctx: CallContext) => unknown,
    onDone: (ctx: CallContext, error: unknown, reply: unknown) => void,
  ) => {
    const ctx = newContext(call, operation, false);
    ctx.set(CALL_KEY, call);
    let finished = false;
    const finish = (error: unknown, reply?: unknown) => {
      if (finished) return;
      finished = true;
      ctx.finish();
      if (call.cancelled) return;
      onDone(ctx, error, reply);
    };
    ctx.armDeadline(timer, onDeadline, { ctx, finish });
    // Streams stop pumping at once when the caller goes away.
    ctx.watchCancel();
    let p: Promise<unknown>;
    try {
      const req = makeReq(ctx);
      if (req instanceof InvalidMessage) return finish(req.error);
      p = h(ctx, req);
    } catch (e) {
      return finish(e ?? new Error('handler threw'));
    }
    p.then(
      (r) => finish(undefined, r),
      (e) => finish(e ?? new Error('handler failed')),
    );
  };

  const endWritable = (
    call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
    error: unknown,
  ) => {
    if (error === undefined) call.end();
    else call.emit('error', toGrpcStatus(error));
  };

  // Stream handlers write to their call; it is found through the context (a derived context that
  // keeps the original as parent still finds it), so the chain is built once per method.
  const writerOf = (ctx: Context) => {
    const call = ctx.get(CALL_KEY);
    if (!call)
      throw new Error('grpc server: stream middleware replaced the context without keeping it as parent');
    return call as ServerWritableStream<unknown, unknown>;
  };

  const serverStreamImpl = (operation: string, handler: GrpcServerStreamHandler<unknown, unknown>) => {
    const inner: Handler = async (ctx, req) => {
      await pump(writerOf(ctx), handler(ctx, req), ctx);
      return undefined;
    };
    const h = applyMiddleware(inner, streamMiddleware, operation);
    return (call: ServerWritableStream<unknown, unknown>) =>
      streamCall(
        call,
        operation,
        h,
        () => call.request,
        (_ctx, error) => endWritable(call, error),
      );
  };

  const clientStreamImpl = (operation: string, handler: GrpcClientStreamHandler<unknown, unknown>) => {
    const inner: Handler = async (ctx, reqs) => handler(ctx, reqs as AsyncIterable<unknown>);
    const h = applyMiddleware(inner, streamMiddleware, operation);
    return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      streamCall(
        call,
        operation,
        h,
        (ctx) => requestStream(call, ctx),
        (ctx, error, reply) => {
          {
            const reply = ctx.replyHeaderIfAny();
            if (reply) call.sendMetadata(toGrpcMetadata(reply));
          }
          if (error === undefined) callback(null, reply);
          else callback(toGrpcStatus(error));
        },
      );
  };

  const bidiImpl = (operation: string, handler: GrpcBidiStreamHandler<unknown, unknown>) => {
    const inner: Handler = async (ctx, reqs) => {
      await pump(writerOf(ctx), handler(ctx, reqs as AsyncIterable<unknown>), ctx);
      return undefined;
    };
    const h = applyMiddleware(inner, streamMiddleware, operation);
    return (call: ServerDuplexStream<unknown, unknown>) =>
      streamCall(
        call,
        operation,
        h,
        (ctx) => requestStream(call, ctx),
        (_ctx, error) => endWritable(call, error),
      );
  };

  const server: GrpcServer = {
    registerService(
      definition: ServiceDefinition,
      handlers: Record<string, GrpcMethodHandler>,
      opts?: RegisterServiceOptions,
    ) {
      if (state === 'stopping' || state === 'stopped')
        throw new Error('grpc server: registerService after stop');
      const wrapped: Record<string, MethodDefinition<unknown, unknown>> = {};
      const impl: UntypedServiceImplementation = {};
      let serviceName: string | undefined;
      for (const [key, method] of Object.entries(definition)) {
        const operation = method.path;
        serviceName ??= serviceNameOf(operation);
        wrapped[key] = { ...method, requestDeserialize: safeDeserializer(method.requestDeserialize) };
        const handler = handlers[key] ?? (method.originalName ? handlers[method.originalName] : undefined);
        if (handler === undefined) {
          const unimplemented = () => {
            throw new KratosError(501, '', `method ${operation} not implemented`);
          };
          impl[key] = implFor(methodKind(method), operation, unimplemented as GrpcMethodHandler);
          continue;
        }
        if (typeof handler !== 'function')
          throw new TypeError(`grpc server: handler for ${operation} is not a function`);
        impl[key] = implFor(methodKind(method), operation, handler);
      }
      if (serviceName === undefined)
        throw new TypeError('grpc server: registerService needs a definition with methods');
      if (services.has(serviceName)) throw new Error(`grpc server: service ${serviceName} registered twice`);
      services.add(serviceName);
      raw.addService(wrapped, impl);
      reflection?.addService(serviceName, opts?.file);
      health?.set(serviceName, state === 'running' ? 'SERVING' : 'NOT_SERVING');
    },

    setServingStatus(service: string, status: ServingStatus) {
      health?.set(service, status);
    },

    async start(startOptions?: ServerStartOptions) {
      if (state !== 'idle') throw new Error(`grpc server: start called when ${state}`);
      state = 'starting';
      app = startOptions?.app;
      await pinNextTickShape();
      const { host } = splitHostPort(address);
      const creds = options.credentials ?? credentialsFrom(options);
      try {
        port = await new Promise<number>((resolve, reject) =>
          raw.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))),
        );
      } catch (e) {
        state = 'idle';
        throw e;
      }
      endpoint =
        options.endpoint !== undefined
          ? new URL(String(options.endpoint))
          : newEndpoint(
              'grpc',
              joinHostPort(advertisedHost(host), port),
              options.tls !== undefined || options.credentials !== undefined,
            );
      endpointString = endpoint.toString();
      health?.resume();
      state = 'running';
      log.infow('msg', `[gRPC] server listening on: ${joinHostPort(host === '' ? '0.0.0.0' : host, port)}`);
    },

    async stop(stopOptions?: ServerStopOptions) {
      if (state === 'stopped' || state === 'idle') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      health?.shutdown();
      const signal = stopOptions?.signal;
      await new Promise<void>((resolve) => {
        let done = false;
        const force = () => {
          if (done) return;
          raw.forceShutdown();
        };
        if (signal?.aborted) force();
        else signal?.addEventListener('abort', force, { once: true });
        raw.tryShutdown((err) => {
          done = true;
          signal?.removeEventListener('abort', force);
          if (err) log.warnw('msg', `[gRPC] graceful stop failed: ${err.message}`);
          resolve();
        });
      });
      timer.close();
      state = 'stopped';
      log.infow('msg', '[gRPC] server stopped');
    },

    endpoint() {
      if (!endpoint) throw new Error('grpc server: endpoint() before start()');
      return endpoint;
    },

    get port() {
      return port;
    },

    raw,
  };

  function implFor(kind: GrpcMethodKind, operation: string, handler: GrpcMethodHandler) {
    switch (kind) {
      case 'unary':
        return unaryImpl(operation, handler as GrpcUnaryHandler<unknown, unknown>);
      case 'serverStream':
        return serverStreamImpl(operation, handler as GrpcServerStreamHandler<unknown, unknown>);
      case 'clientStream':
        return clientStreamImpl(operation, handler as GrpcClientStreamHandler<unknown, unknown>);
      case 'bidi':
        return bidiImpl(operation, handler as GrpcBidiStreamHandler<unknown, unknown>);
    }
  }

  if (health)
    server.registerService(
      health.definition,
      health.handlers,
      reflection ? { file: healthFile() } : undefined,
    );
  if (reflection) registerReflection(server, reflection, () => [...services]);
  return server;
}

function credentialsFrom(options: GrpcServerOptions): ServerCredentials {
  const tls = options.tls;
  if (!tls) return ServerCredentials.createInsecure();
  const buf = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v) : v);
  return ServerCredentials.createSsl(
    tls.ca === undefined ? null : buf(tls.ca),
    [{ private_key: buf(tls.key), cert_chain: buf(tls.cert) }],
    tls.requireClientCert ?? false,
  );
}
