import type { DescFile } from '@bufbuild/protobuf';
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { Logger, Middleware, Server } from '@kratos/core';
import type { AdmissionLimiter, Endpointer } from '@kratos/core/transport';
import type { GrpcMethodHandler, RegisterServiceOptions, ServingStatus } from '@kratos/grpc/services';

/** Server TLS: PEM key and certificate; `ca` (with `requireClientCert`) for mutual TLS. ALPN offers h2 and http/1.1. */
export interface RpcServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  /** Demand and verify a client certificate against `ca`. Default false. */
  requireClientCert?: boolean;
}

/** HTTP/2 keepalive: a PING every `time` ms of the session, the session closed when one goes unanswered for `timeout` ms. */
export interface RpcKeepaliveOptions {
  /** Interval between PINGs, ms; 0 = no PINGs. Default 7_200_000 (grpc-go's two hours). */
  time?: number;
  /** How long a PING may go unanswered, ms. Default 20_000. */
  timeout?: number;
}

/** Cross-origin access for browsers (Connect and gRPC-Web). */
export interface RpcCorsOptions {
  /** Allowed origins: exact strings, `'*'` (any), or a predicate. */
  origins: readonly string[] | '*' | ((origin: string) => boolean);
  /** `Access-Control-Allow-Credentials`. Default false. */
  credentials?: boolean;
  /** Extra request headers allowed beyond the protocols' own. */
  allowHeaders?: readonly string[];
  /** Extra response headers exposed beyond the protocols' own. */
  exposeHeaders?: readonly string[];
  /** `Access-Control-Max-Age` of preflight answers, seconds. Default 7200. */
  maxAge?: number;
}

/** Options of {@link createRpcServer}. */
export interface RpcServerOptions {
  /** `host:port` to listen on; port 0 picks a free one. Default `0.0.0.0:9000`. */
  address?: string;
  /** Per-call timeout of unary calls in ms (the earlier of this and the caller's deadline wins); 0 = none. Default 1000. */
  timeout?: number;
  /** Middleware around every unary handler (first outermost), resolved once per method. */
  middleware?: Middleware[];
  /**
   * Middleware around every streaming handler: `req` is the request message (server streaming)
   * or the request stream (client/bidi); `next` resolves when the whole stream is answered. Default none.
   */
  streamMiddleware?: Middleware[];
  /** TLS; plaintext (h2c and HTTP/1.1) when absent. */
  tls?: RpcServerTlsOptions;
  /** Logger for the listening line and stop errors. Default core's `defaultLogger()`. */
  logger?: Logger;
  /** Register `grpc.health.v1.Health`. Default true. */
  health?: boolean;
  /** Register server reflection (`grpc.reflection.v1` and `v1alpha`). Default true. */
  reflection?: boolean;
  /** Register `kratos.api.Metadata` (ListServices, GetServiceDesc), as Go Kratos does. Default true. */
  metadata?: boolean;
  /**
   * Early admission (e.g. `createBbrLimiter()` from `@kratos/middleware`): asked for every call but
   * health checks once its request message is read (unary, server streaming; at the headers for
   * client and bidi streams), before the middleware chain and the handler; a refused
   * call is answered RESOURCE_EXHAUSTED (Connect: 429 `resource_exhausted`) with Kratos' reason
   * `RATELIMIT` at once. Default none.
   */
  limiter?: AdmissionLimiter;
  /** Largest request message accepted, bytes (RESOURCE_EXHAUSTED beyond). Default 4 MiB. */
  maxReceiveMessageSize?: number;
  /** Largest reply message sent, bytes (RESOURCE_EXHAUSTED beyond). Default unlimited. */
  maxSendMessageSize?: number;
  /**
   * Calls one HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); a gRPC
   * client queues the rest on its side, where their deadlines run out without costing the server
   * anything. Default 250, as `createGrpcServer`.
   */
  maxConcurrentStreams?: number;
  /** HTTP/2 keepalive PINGs. */
  keepalive?: RpcKeepaliveOptions;
  /** Accept Connect and gRPC-Web over HTTP/1.1 on the same port. Default true. */
  http1?: boolean;
  /** CORS for browser origins; none allowed when absent. */
  cors?: RpcCorsOptions;
  /** Endpoint to advertise instead of the one derived from the listen address. */
  endpoint?: string | URL;
}

/** Options of `registerService`: as @kratos/grpc's; `file` also enables JSON (Connect, `+json`). */
export type RpcRegisterServiceOptions = RegisterServiceOptions & { file?: DescFile };

/** The RPC transport server: a core Server and Endpointer, registered to like @kratos/grpc's. */
export interface RpcServer extends Server, Endpointer {
  /**
   * Serves `definition` (the grpc-js ServiceDefinition generated code builds) with `handlers`
   * keyed like the definition or by each method's `originalName`; the same call the generated
   * `register...GrpcServer(server, impl)` makes. Methods without a handler answer UNIMPLEMENTED.
   */
  registerService(
    definition: ServiceDefinition,
    handlers: Record<string, GrpcMethodHandler>,
    options?: RpcRegisterServiceOptions,
  ): void;
  /** Sets the health status of a service (`''` is the whole server). */
  setServingStatus(service: string, status: ServingStatus): void;
  /** The bound port (valid after `start`). */
  readonly port: number;
}
