import type { DescFile } from '@bufbuild/protobuf';
import type {
  ChannelCredentials,
  ChannelOptions,
  MethodDefinition,
  ServerCredentials,
  ServiceDefinition,
} from '@grpc/grpc-js';
import type { CallOptions, Context, Discovery, Logger, Middleware, Selector, Server } from '@kratos/core';
import type { Endpointer } from '@kratos/core/transport';
import type { GrpcServerLimits } from './server-limits.ts';

/** Unary: one request, one reply; runs the server's middleware chain. */
export type GrpcUnaryHandler<I = never, O = unknown> = (ctx: Context, req: I) => Promise<O>;
/** Server streaming: one request, a stream of replies. */
export type GrpcServerStreamHandler<I = never, O = unknown> = (ctx: Context, req: I) => AsyncIterable<O>;
/** Client streaming: a stream of requests, one reply. */
export type GrpcClientStreamHandler<I = never, O = unknown> = (
  ctx: Context,
  reqs: AsyncIterable<I>,
) => Promise<O>;
/** Bidirectional streaming. */
export type GrpcBidiStreamHandler<I = never, O = unknown> = (
  ctx: Context,
  reqs: AsyncIterable<I>,
) => AsyncIterable<O>;

/**
 * A handler of one method; its shape follows the method's `requestStream` / `responseStream`.
 * (Requests default to `never` so handlers typed with their message are accepted.)
 */
export type GrpcMethodHandler =
  | GrpcUnaryHandler
  | GrpcServerStreamHandler
  | GrpcClientStreamHandler
  | GrpcBidiStreamHandler;

/** Which of the four call shapes a method has. */
export type GrpcMethodKind = 'unary' | 'serverStream' | 'clientStream' | 'bidi';

/** Third argument of `registerService`. */
export interface RegisterServiceOptions {
  /**
   * The protobuf-es file that declares the service (generated code passes it). Server reflection
   * serves it and its dependencies; without it the service is listed but not described.
   */
  file?: DescFile;
}

/** Server TLS: PEM key and certificate; `ca` (with `requireClientCert`) for mutual TLS. */
export interface GrpcServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  /** Demand and verify a client certificate against `ca`. Default false. */
  requireClientCert?: boolean;
}

/** Options of {@link createGrpcServer}. */
export interface GrpcServerOptions extends GrpcServerLimits {
  /** `host:port` to listen on; port 0 picks a free one. Default `0.0.0.0:9000`. */
  address?: string;
  /** Per-call timeout of unary calls in ms (the earlier of this and the caller's deadline wins); 0 = none. Default 1000. */
  timeout?: number;
  /** Middleware around every unary handler (first outermost), resolved once per method. */
  middleware?: Middleware[];
  /**
   * Middleware around every streaming handler: `req` is the request message (server streaming)
   * or the request stream (`AsyncIterable`, client/bidi streaming); `next` resolves when the
   * whole stream has been answered. Default none.
   */
  streamMiddleware?: Middleware[];
  /** TLS; plaintext when absent. */
  tls?: GrpcServerTlsOptions;
  /** Ready-made grpc-js server credentials; wins over `tls`. */
  credentials?: ServerCredentials;
  /** Logger for the listening line and stop errors. Default core's `defaultLogger()`. */
  logger?: Logger;
  /** Register `grpc.health.v1.Health`. Default true. */
  health?: boolean;
  /** Register server reflection (`grpc.reflection.v1` and `v1alpha`). Default true. */
  reflection?: boolean;
  /** Register `kratos.api.Metadata` (ListServices, GetServiceDesc), as Go Kratos does. Default true. */
  metadata?: boolean;
  /** Largest request message accepted, bytes (RESOURCE_EXHAUSTED beyond). Default grpc-js' 4 MiB. */
  maxReceiveMessageSize?: number;
  /** Largest reply message sent, bytes. Default unlimited. */
  maxSendMessageSize?: number;
  /** Extra grpc-js server/channel options (`grpc.keepalive_time_ms`, ...). */
  channelOptions?: ChannelOptions;
  /** Endpoint to advertise instead of the one derived from the listen address. */
  endpoint?: string | URL;
}

/** Health status of a service, as `grpc.health.v1` names it. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** The gRPC transport server: a core Server and Endpointer. */
export interface GrpcServer extends Server, Endpointer {
  /**
   * Serves `definition` (a grpc-js ServiceDefinition with protobuf-es serializers) with
   * `handlers` keyed like the definition (or by each method's `originalName`). Methods without a
   * handler answer UNIMPLEMENTED.
   */
  registerService(
    definition: ServiceDefinition,
    handlers: Record<string, GrpcMethodHandler>,
    options?: RegisterServiceOptions,
  ): void;
  /** Sets the health status of a service (`''` is the whole server). */
  setServingStatus(service: string, status: ServingStatus): void;
  /**
   * The stop has begun (an App calls it before it deregisters and waits its `drainDelay`): calls
   * are still served, but health answers NOT_SERVING for every service (Watch streams are told),
   * so health-checking clients and balancers stop sending. `start` serves again.
   */
  beginDrain(): void;
  /** The bound port (valid after `start`). */
  readonly port: number;
  /** The grpc-js server, for escape hatches. */
  readonly raw: import('@grpc/grpc-js').Server;
}

/** Client TLS: CA to trust (system roots when absent); key + cert for mutual TLS. */
export interface GrpcClientTlsOptions {
  ca?: string | Buffer;
  key?: string | Buffer;
  cert?: string | Buffer;
  /** Overrides the name checked against the server certificate. */
  serverName?: string;
}

/** Options of {@link createGrpcClient}. */
export interface GrpcClientOptions {
  /** `discovery:///name`, `direct:///host:port[,host:port]` or `host:port`. */
  endpoint: string;
  /** Needed for `discovery:///` targets. */
  discovery?: Discovery;
  /** Balancer and node holder. Default: a p2c selector from `@kratos/selector`. */
  selector?: Selector;
  /** Client middleware around every unary call (first outermost). */
  middleware?: Middleware[];
  /** Default timeout of unary calls in ms; 0 = none. Streams only get an explicit timeout. Default 2000. */
  timeout?: number;
  /** TLS; plaintext when absent. */
  tls?: GrpcClientTlsOptions;
  /** Ready-made grpc-js channel credentials; wins over `tls`. */
  credentials?: ChannelCredentials;
  /** grpc-js channel options applied to every node's channel. */
  channelOptions?: ChannelOptions;
  /** Logger for discovery warnings. Default core's `defaultLogger()`. */
  logger?: Logger;
  /**
   * Methods safe to run twice (full paths such as `/helloworld.v1.Greeter/SayHello`, or a
   * predicate). A unary or server-streaming call to one of them whose connection dropped before
   * any reply (UNAVAILABLE "Connection dropped" / `ECONNRESET`: the server may or may not have run
   * it) is sent once more to another node within its deadline. Default none: as grpc-go without a
   * retry policy, only calls that provably never reached a server are retried.
   */
  idempotent?: readonly string[] | ((path: string) => boolean);
}

/** A gRPC client over all nodes of one target. */
export interface GrpcClient {
  unary<I, O>(method: MethodDefinition<I, O>, req: I, options?: CallOptions): Promise<O>;
  serverStream<I, O>(method: MethodDefinition<I, O>, req: I, options?: CallOptions): AsyncIterable<O>;
  clientStream<I, O>(
    method: MethodDefinition<I, O>,
    reqs: AsyncIterable<I>,
    options?: CallOptions,
  ): Promise<O>;
  bidiStream<I, O>(
    method: MethodDefinition<I, O>,
    reqs: AsyncIterable<I>,
    options?: CallOptions,
  ): AsyncIterable<O>;
  /** Resolves once the target has nodes (discovery answered). */
  ready(signal?: AbortSignal): Promise<void>;
  /** Closes every channel and stops watching discovery. */
  close(): Promise<void>;
}
