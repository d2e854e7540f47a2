import {
  type MethodDefinition,
  Server as RawServer,
  ServerCredentials,
  type ServerInterceptor,
  type ServerOptions,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { createLogHelper, defaultLogger, KratosError } from '@kratos/core';
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
import { admissionInterceptor } from './admission.ts';
import { createCallPath, type GrpcServerState } from './call.ts';
import { createHealthService, type HealthService, healthFile } from './health.ts';
import { registerMetadataService } from './metadata-service.ts';
import { methodKind, serviceNameOf } from './method-kind.ts';
import { createReflectionIndex, registerReflection } from './reflection.ts';
import { safeDeserializer } from './request-message.ts';
import { limitChannelOptions, requestTimeoutInterceptor } from './server-limits.ts';
import type {
  GrpcMethodHandler,
  GrpcServer,
  GrpcServerOptions,
  RegisterServiceOptions,
  ServingStatus,
} from './types.ts';

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
  if (requestTimeout > 0 || options.limiter !== undefined) {
    serverOptions.interceptors = [
      // Outermost: a shed call starts nothing else (admission.ts).
      ...(options.limiter === undefined ? [] : [admissionInterceptor(options.limiter)]),
      ...(requestTimeout > 0 ? [requestTimeoutInterceptor(timer, requestTimeout)] : []),
      ...((serverOptions.interceptors as ServerInterceptor[] | undefined) ?? []),
    ];
  }
  const raw = new RawServer(serverOptions);
  const reflection = options.reflection === false ? undefined : createReflectionIndex();
  const health: HealthService | undefined = options.health === false ? undefined : createHealthService();
  const services = new Set<string>();

  const callState: GrpcServerState = { app: undefined, endpoint: '' };
  let endpoint: URL | undefined;
  let port = 0;
  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';

  const call = createCallPath({
    timeout,
    middleware,
    streamMiddleware,
    timer,
    state: callState,
  });

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
          impl[key] = call.implFor(methodKind(method), operation, unimplemented as GrpcMethodHandler);
          continue;
        }
        if (typeof handler !== 'function')
          throw new TypeError(`grpc server: handler for ${operation} is not a function`);
        impl[key] = call.implFor(methodKind(method), operation, handler);
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
      callState.app = startOptions?.app;
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
      callState.endpoint = endpoint.toString();
      health?.resume();
      state = 'running';
      log.infow('msg', `[gRPC] server listening on: ${joinHostPort(host === '' ? '0.0.0.0' : host, port)}`);
    },

    beginDrain() {
      health?.drain();
    },

    async stop(stopOptions?: ServerStopOptions) {
      if (state === 'stopped' || state === 'idle') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      health?.shutdown();
      await stopGracefully(
        stopOptions?.signal,
        () =>
          new Promise<void>((resolve) =>
            raw.tryShutdown((err) => {
              if (err) log.warnw('msg', `[gRPC] graceful stop failed: ${err.message}`);
              resolve();
            }),
          ),
        () => raw.forceShutdown(),
      );
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

  if (options.metadata !== false) registerMetadataService(server);
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
