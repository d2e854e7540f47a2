import {
  type ChannelOptions,
  type ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  status,
} from '@grpc/grpc-js';
import type { DeadlineHandle, DeadlineTimer } from '@kratos/core/transport';
import type { AdmissionLimiter } from './admission.ts';
import { DEFAULT_MAX_CONCURRENT_STREAMS } from './defaults.ts';
import { ForwardingServerCall, type PartialStatus } from './forwarding-call.ts';

const NGHTTP2_NO_ERROR = 0;

/**
 * What a stalled or silent peer may hold, as grpc-go's keepalive parameters and HTTP/2 settings;
 * every field in ms except `maxConcurrentStreams`. `channelOptions` set for the same grpc-js key
 * win over these.
 */
export interface GrpcServerLimits {
  /**
   * Time a unary or server-streaming call has to deliver its request message after its headers;
   * past it the call ends with DEADLINE_EXCEEDED and its stream is freed. A caller's shorter
   * `grpc-timeout` ends it sooner. 0 disables. Default 10000.
   */
  requestTimeout?: number;
  /** Ping a connection after this long without activity (`grpc.keepalive_time_ms`). Default 60000. */
  keepaliveTime?: number;
  /** Close a connection whose ping is not answered within this (`grpc.keepalive_timeout_ms`). Default 20000. */
  keepaliveTimeout?: number;
  /** Close (GOAWAY) a connection without calls for this long (`grpc.max_connection_idle_ms`). Default 300000. */
  maxConnectionIdle?: number;
  /** Close (GOAWAY) connections older than this (`grpc.max_connection_age_ms`). Default: never. */
  maxConnectionAge?: number;
  /** Time calls get to finish after `maxConnectionAge` (`grpc.max_connection_age_grace_ms`). Default: unbounded. */
  maxConnectionAgeGrace?: number;
  /** Concurrent streams (calls) per connection, an HTTP/2 setting (`grpc.max_concurrent_streams`). Default 250. */
  maxConcurrentStreams?: number;
  /**
   * Early admission (e.g. `createBbrLimiter()` from `@kratos/middleware`): asked for every call but
   * health checks, a unary or server-streaming call once its request message is read (before it is
   * decoded and before the middleware chain), a client or bidi stream at its headers; a refused call
   * ends at once with RESOURCE_EXHAUSTED (reason `RATELIMIT`), cheaper than `rateLimit()` in the
   * chain. Default none.
   */
  limiter?: AdmissionLimiter;
}

/** grpc-js server options from the limits: defaults, then the options, then `channelOptions`. */
export function limitChannelOptions(
  limits: GrpcServerLimits,
  channelOptions: ChannelOptions,
): ChannelOptions {
  const out: ChannelOptions = {
    'grpc.keepalive_time_ms': limits.keepaliveTime ?? 60_000,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeout ?? 20_000,
    'grpc.max_connection_idle_ms': limits.maxConnectionIdle ?? 300_000,
    'grpc.max_concurrent_streams': limits.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
  };
  if (limits.maxConnectionAge !== undefined) out['grpc.max_connection_age_ms'] = limits.maxConnectionAge;
  if (limits.maxConnectionAgeGrace !== undefined) {
    out['grpc.max_connection_age_grace_ms'] = limits.maxConnectionAgeGrace;
  }
  return { ...out, ...channelOptions };
}

/**
 * A call whose request message has yet to arrive: passes everything through to grpc-js' call and
 * ends it if the message is late (one object per call: ForwardingServerCall).
 */
class AwaitingRequest extends ForwardingServerCall {
  #handle: DeadlineHandle | undefined;
  #expired = false;
  readonly #ms: number;

  constructor(call: ServerInterceptingCallInterface, timer: DeadlineTimer, ms: number) {
    super(call);
    this.#ms = ms;
    this.#handle = timer.schedule(Date.now() + ms, expire, this);
  }

  /** The request is late: answer DEADLINE_EXCEEDED; what arrives later is dropped. */
  expire(): void {
    this.#handle = undefined;
    this.#expired = true;
    this.call.sendStatus({
      code: status.DEADLINE_EXCEEDED,
      details: `request message not received within ${this.#ms} ms`,
    });
    // The status ends only our side: a peer that never ends its own keeps the stream open on
    // the server (and counted against maxConcurrentStreams). RFC 9113 8.1: a server that answered
    // before the request was complete resets the stream with NO_ERROR. grpc-js keeps its HTTP/2
    // stream private, so it is reached by name; the stalled-peers test pins this behaviour.
    const stream = (this.call as { stream?: { close?: (code: number) => void; closed?: boolean } }).stream;
    if (stream !== undefined && stream.closed === false && typeof stream.close === 'function') {
      stream.close(NGHTTP2_NO_ERROR);
    }
  }

  #settle(): void {
    this.#handle?.cancel();
    this.#handle = undefined;
  }

  override onReceiveMessage(message: unknown): void {
    if (this.#expired) return;
    this.#settle();
    super.onReceiveMessage(message);
  }
  override onReceiveHalfClose(): void {
    if (this.#expired) return;
    this.#settle();
    super.onReceiveHalfClose();
  }
  override onCancel(): void {
    this.#settle();
    super.onCancel();
  }
  override sendStatus(s: PartialStatus): void {
    this.#settle();
    super.sendStatus(s);
  }
}

const expire = (call: AwaitingRequest): void => call.expire();

/**
 * A grpc-js server interceptor ending unary and server-streaming calls whose request message has
 * not arrived within `ms` (a peer that sent headers and half a message, then stalled). Streams of
 * requests (client and bidi streaming) are the handler's to pace, and are left alone.
 */
export function requestTimeoutInterceptor(timer: DeadlineTimer, ms: number): ServerInterceptor {
  return (method, call) =>
    (method.requestStream ? call : new AwaitingRequest(call, timer, ms)) as unknown as ServerInterceptingCall;
}
