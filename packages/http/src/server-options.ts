import type { AddressInfo } from 'node:net';
import type { Codec, Logger, Middleware, Server } from '@kratos/core';
import type { CodecRegistry, Endpointer } from '@kratos/core/transport';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { AdmissionLimiter } from './admission.ts';
import type { MultipartOptions } from './bodies/multipart.ts';
import type { ErrorEncoder, HttpRouteOptions, RequestDecoder, ResponseEncoder } from './encoders.ts';
import type { CompressionOption, CorsOption } from './plugins.ts';
import type { HttpHandler, HttpRouteDesc, HttpStreamHandler } from './types.ts';

/** TLS material of an HTTPS server. */
export interface HttpServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA certificates to verify client certificates against (with `requestCert`). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
}

/**
 * A filter runs before routing-independent work on every request, generated and plain routes
 * alike (a fastify `onRequest` hook). Sending a reply from it ends the request there.
 */
export type HttpFilter = (request: FastifyRequest, reply: FastifyReply) => void | Promise<void>;

/** A plain (non-generated) route handler: fastify's; return a body or use `reply`. */
export type PlainHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** `host:port` to listen on. Default `0.0.0.0:8000`; port 0 picks a free port. */
  address?: string;
  /** Per-request timeout in ms (504 when exceeded); 0 or less disables it. Default 1000. */
  timeout?: number;
  /** Server middleware, first outermost; resolved per route at registration. */
  middleware?: Middleware[];
  /**
   * Early admission (e.g. `createBbrLimiter()` from `@kratos/middleware`): asked for every request
   * as soon as its head is parsed, before routing, filters and body reading; a refused request is
   * answered 429 `RATELIMIT` at once, far cheaper than `rateLimit()` in the middleware chain (which
   * runs after the body is decoded). Covers every route. Default none.
   */
  limiter?: AdmissionLimiter;
  /** fastify onRequest-style hooks applied to every route. */
  filters?: HttpFilter[];
  /** Serve HTTPS. */
  tls?: HttpServerTlsOptions;
  /** Codecs for request bodies and replies (JSON is always there). Default JSON only. */
  codecs?: CodecRegistry | Codec[];
  /** Largest accepted body in bytes (413 beyond). Default 4 MiB. */
  bodyLimit?: number;
  /**
   * Deadline of a whole streamed reply (a `serverStreaming` route: Server-Sent Events or
   * newline-delimited JSON), ms from the request; past it the stream ends with a 504 error frame.
   * 0 or less: none (the stream lasts until the handler ends or the client goes away). Default 0.
   */
  streamTimeout?: number;
  /** Largest accepted request head in bytes (431 beyond). Default Node's 16 KiB. */
  maxHeaderSize?: number;
  /**
   * Time a connection may stay idle between requests, ms. Default 72000 (fastify's: longer than
   * the 60 s idle timeout of common load balancers, so the server is never the one closing a
   * connection a balancer is about to reuse).
   */
  keepAliveTimeout?: number;
  /**
   * Time to receive a request's head (request line and headers), ms; past it the connection is
   * answered 408 and closed (Go's `ReadHeaderTimeout`, Node's `headersTimeout`). This is what
   * closes slowloris connections. Default 10000. Capped at `requestTimeout`.
   */
  headerTimeout?: number;
  /**
   * Time to receive a whole request, body included, ms; past it 408 and the connection is closed
   * (Go's `ReadTimeout`, Node's `requestTimeout`). Bounds a client trickling its body.
   * 0 disables it. Default 30000.
   */
  requestTimeout?: number;
  /**
   * On stop, time idle keep-alive connections stay open, ms: a request a client sends on one
   * meanwhile is still served (with `Connection: close`) instead of meeting a closed socket.
   * Stop ends sooner when every connection has closed. Default 1000.
   */
  idleGrace?: number;
  /** Default core's `defaultLogger()`. */
  logger?: Logger;
  /** The endpoint to advertise instead of the derived one. */
  endpoint?: URL | string;
  /** Extra fastify options (the ones this server sets itself win). */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'serverFactory'>;
  /** Decodes request bodies (Kratos' `RequestDecoder`). Default: the Content-Type's codec. */
  requestDecoder?: RequestDecoder;
  /** Writes replies (Kratos' `ResponseEncoder`). Default: the Accept codec, protobuf JSON. */
  responseEncoder?: ResponseEncoder;
  /** Writes errors (Kratos' `ErrorEncoder`). Default: the Kratos error body, status = code. */
  errorEncoder?: ErrorEncoder;
  /**
   * Take multipart/form-data uploads, streamed to handlers (`formParts`, `saveFormFiles`), with
   * these limits (`true`: the defaults). Default off: a multipart body is then like any other
   * (buffered up to `bodyLimit`, 415 without a codec).
   */
  multipart?: boolean | MultipartOptions;
  /** CORS through @fastify/cors: `true` (any origin) or its options. Default off. */
  cors?: CorsOption;
  /** Reply compression through @fastify/compress: `true` or its options. Default off. */
  compression?: CompressionOption;
}

/** The HTTP transport server. */
export interface HttpServer extends Server, Endpointer {
  /**
   * Registers a generated RPC's binding, with this route's own encoders or deadline if given.
   * Throws on a malformed template or a duplicate route.
   */
  route<I, O>(
    desc: HttpRouteDesc,
    handler: HttpHandler<I, O> | HttpStreamHandler<I, O>,
    options?: HttpRouteOptions,
  ): void;
  /** Registers a plain route (health, metrics, docs), fastify path syntax, behind the filters. */
  handle(method: string | string[], path: string, handler: PlainHandler): void;
  /** `handle('GET', path, handler)`. */
  get(path: string, handler: PlainHandler): void;
  /** The fastify instance, for what this API does not cover. */
  readonly fastify: FastifyInstance;
  /** The address actually listened on (after `start`). */
  address(): AddressInfo | undefined;
}

/** The server's timeouts with their defaults applied (see {@link HttpServerOptions}). */
export interface HttpServerLimits {
  timeout: number;
  keepAliveTimeout: number;
  headerTimeout: number;
  requestTimeout: number;
  idleGrace: number;
  /** How often Node checks the header and request timeouts, ms. */
  checkInterval: number;
}

/** Resolves the timeout options; Node requires the header timeout not to exceed the request's. */
export function serverLimits(options: HttpServerOptions): HttpServerLimits {
  const requestTimeout = Math.max(0, options.requestTimeout ?? 30_000);
  let headerTimeout = Math.max(1, options.headerTimeout ?? 10_000);
  if (requestTimeout > 0) headerTimeout = Math.min(headerTimeout, requestTimeout);
  const shortest = requestTimeout > 0 ? Math.min(headerTimeout, requestTimeout) : headerTimeout;
  return {
    timeout: options.timeout ?? 1000,
    keepAliveTimeout: options.keepAliveTimeout ?? 72_000,
    headerTimeout,
    requestTimeout,
    idleGrace: Math.max(0, options.idleGrace ?? 1000),
    // Node checks every 30 s by default, so a 10 s header timeout could take 40 s to act: check
    // four times per (shortest) timeout, at most once a second.
    checkInterval: Math.max(10, Math.min(1000, Math.floor(shortest / 4))),
  };
}
