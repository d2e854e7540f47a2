import type { Context } from '@kratos/core';

/**
 * The one service every transport serves in the conformance suite, written over strings so the
 * suite needs no protobuf: a subject maps it onto its own service (the helloworld Greeter:
 * `name` in, `message` out).
 */
export interface ConformanceHandlers {
  /** The unary call. */
  unary(ctx: Context, name: string): Promise<string>;
  /** The server-streaming call (served only when the subject supports streaming). */
  stream(ctx: Context, name: string): AsyncIterable<string>;
}

/** How the suite calls: what a generated client's call options carry. */
export interface ConformanceCallOptions {
  /** Request headers (Kratos metadata travels as `x-md-global-*` headers). */
  header?: Record<string, string>;
  /** Client timeout, ms. */
  timeout?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** A unary reply with the reply headers the client saw. */
export interface ConformanceReply {
  message: string;
  /** The reply headers (HTTP headers, gRPC initial metadata), keys lower-case. */
  replyHeader: Record<string, string>;
}

/** The client side of a subject. */
export interface ConformanceClient {
  unary(name: string, options?: ConformanceCallOptions): Promise<ConformanceReply>;
  /** The server-streaming call; absent when the subject does not stream. */
  stream?(name: string, options?: ConformanceCallOptions): AsyncIterable<string>;
}

/** A started server serving {@link ConformanceHandlers}, with a client for it. */
export interface ConformanceServer {
  readonly client: ConformanceClient;
  /** The server's graceful stop (`Server.stop`). */
  stop(options?: { signal?: AbortSignal }): Promise<void>;
  /** Closes the client (after the test). Optional. */
  close?(): Promise<void> | void;
}

/** What differs between transports. */
export interface TransportFeatures {
  /** Server streaming is supported (the client has `stream`). Default false. */
  streaming?: boolean;
  /** The client's deadline reaches the server (`ctx.deadline` is set there). Default false. */
  deadlinePropagation?: boolean;
}

/** A transport under test. */
export interface TransportSubject {
  /** Shown in the suite's name. */
  readonly name: string;
  readonly features?: TransportFeatures;
  /** Starts a server serving `handlers` (on a free loopback port, for a network transport). */
  start(handlers: ConformanceHandlers): Promise<ConformanceServer>;
}
