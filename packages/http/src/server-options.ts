import type { AddressInfo } from 'node:net';
import type { Codec, CodecRegistry, Endpointer, Logger, Middleware, Server } from '@kratos/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { HttpHandler, HttpRouteDesc } from './types.ts';

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
  /** fastify onRequest-style hooks applied to every route. */
  filters?: HttpFilter[];
  /** Serve HTTPS. */
  tls?: HttpServerTlsOptions;
  /** Codecs for request bodies and replies (JSON is always there). Default JSON only. */
  codecs?: CodecRegistry | Codec[];
  /** Largest accepted body in bytes (413 beyond). Default 4 MiB. */
  bodyLimit?: number;
  /** Largest accepted request head in bytes (431 beyond). Default Node's 16 KiB. */
  maxHeaderSize?: number;
  /** Keep-alive idle timeout of connections, ms. Default 72000 (fastify's). */
  keepAliveTimeout?: number;
  /** Default core's `defaultLogger()`. */
  logger?: Logger;
  /** The endpoint to advertise instead of the derived one. */
  endpoint?: URL | string;
  /** Extra fastify options (the ones this server sets itself win). */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'serverFactory'>;
}

/** The HTTP transport server. */
export interface HttpServer extends Server, Endpointer {
  /** Registers a generated RPC's binding. Throws on a malformed template or a duplicate route. */
  route<I, O>(desc: HttpRouteDesc, handler: HttpHandler<I, O>): void;
  /** Registers a plain route (health, metrics, docs), fastify path syntax, behind the filters. */
  handle(method: string | string[], path: string, handler: PlainHandler): void;
  /** `handle('GET', path, handler)`. */
  get(path: string, handler: PlainHandler): void;
  /** The fastify instance, for what this API does not cover. */
  readonly fastify: FastifyInstance;
  /** The address actually listened on (after `start`). */
  address(): AddressInfo | undefined;
}
