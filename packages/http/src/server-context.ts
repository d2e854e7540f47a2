import type { IncomingHttpHeaders } from 'node:http';
import { GLOBAL_METADATA_PREFIX, LOCAL_METADATA_PREFIX, Metadata } from '@kratos/core';
import { CallContext, type ContextInit } from '@kratos/core/transport';
import type { FastifyReply } from 'fastify';
import type { CompiledRoute } from './route.ts';

const CLIENT_CLOSED_REASON = new DOMException('The client closed the request.', 'AbortError');

/**
 * The server-side Context. Watching the socket for a client that goes away costs a listener, so
 * it starts only when someone reads `signal` (nobody else can observe the cancellation).
 */
export class HttpServerContext extends CallContext {
  settled = false;
  /** The handler's deadline, ms (for the 504's message). */
  timeout = 0;
  /** The route served (its error encoder answers the deadline). */
  route: CompiledRoute | undefined = undefined;
  /** fastify's reply, for answering at the deadline. */
  readonly reply: FastifyReply;
  readonly #headers: IncomingHttpHeaders;
  #requestHeader: Metadata | undefined;
  #metadata: Metadata | undefined;
  #watching = false;

  constructor(init: ContextInit, headers: IncomingHttpHeaders, reply: FastifyReply) {
    super(init);
    this.#headers = headers;
    this.reply = reply;
  }

  // Made from the request's headers on first read (no closure per request to defer them).
  override get requestHeader(): Metadata {
    this.#requestHeader ??= headerMetadata(this.#headers);
    return this.#requestHeader;
  }

  override get metadata(): Metadata {
    this.#metadata ??= kratosMetadata(this.#headers);
    return this.#metadata;
  }

  override get signal(): AbortSignal {
    if (!this.#watching) {
      this.#watching = true;
      const res = this.reply.raw;
      if (res.destroyed && !res.writableFinished) this.cancel(CLIENT_CLOSED_REASON);
      else if (!res.writableFinished) {
        res.once('close', () => {
          if (!res.writableFinished) this.cancel(CLIENT_CLOSED_REASON);
        });
      }
    }
    return super.signal;
  }
}

/** All request headers as Metadata (made only when the chain reads `ctx.requestHeader`). */
export function headerMetadata(headers: IncomingHttpHeaders): Metadata {
  const all = new Metadata();
  for (const key in headers) {
    const v = headers[key];
    if (v === undefined) continue;
    if (typeof v === 'string') all.add(key, v);
    else for (const one of v) all.add(key, one);
  }
  return all;
}

/** The `x-md-global-*` / `x-md-local-*` headers (made only when the chain reads `ctx.metadata`). */
export function kratosMetadata(headers: IncomingHttpHeaders): Metadata {
  const md = new Metadata();
  for (const key in headers) {
    if (!key.startsWith(GLOBAL_METADATA_PREFIX) && !key.startsWith(LOCAL_METADATA_PREFIX)) continue;
    const v = headers[key];
    if (v === undefined) continue;
    if (typeof v === 'string') md.add(key, v);
    else for (const one of v) md.add(key, one);
  }
  return md;
}

/** Copies reply metadata onto fastify's reply. */
export function writeHeaders(reply: FastifyReply, md: Metadata): void {
  for (const [k, vs] of md) reply.header(k, vs.length === 1 ? vs[0] : vs);
}
