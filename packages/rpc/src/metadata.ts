// Headers in and out: request headers as core Metadata, reply headers and trailers from it.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { type Context, createContextKey, Metadata } from '@kratos/core';
import { isMetadataKey } from '@kratos/core/transport';

// Headers that belong to the protocols, not to the application.
const RESERVED = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'accept-encoding',
  'te',
  'host',
  'connection',
  'transfer-encoding',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'connect-timeout-ms',
  'connect-protocol-version',
  'connect-content-encoding',
  'connect-accept-encoding',
  'x-grpc-web',
  'x-user-agent',
]);

/**
 * The request header (every application header) and the Kratos metadata (`x-md-*`) of a request.
 * `-bin` values stay base64 strings, as @kratos/grpc keeps them.
 */
export function splitHeaders(headers: IncomingHttpHeaders): { header: Metadata; kratos: Metadata } {
  const header = new Metadata();
  const kratos = new Metadata();
  for (const key in headers) {
    if (key.charCodeAt(0) === 58 /* : */ || RESERVED.has(key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    const propagated = isMetadataKey(key);
    if (typeof value === 'string') {
      header.add(key, value);
      if (propagated) kratos.add(key, value);
    } else {
      for (const v of value) {
        header.add(key, v);
        if (propagated) kratos.add(key, v);
      }
    }
  }
  return { header, kratos };
}

/** Copies `md` into outgoing headers, each key prefixed with `prefix` (Connect's `trailer-`). */
export function addHeaders(md: Metadata, into: OutgoingHttpHeaders, prefix = ''): void {
  for (const [key, values] of md) {
    const name = prefix + key;
    if (values.length === 1) into[name] = values[0];
    else into[name] = [...values];
  }
}

const TRAILER_KEY = createContextKey<Metadata>('rpc.trailer');

/**
 * The trailers a server handler sends after its reply (gRPC trailers, gRPC-Web's trailer frame,
 * Connect's `trailer-` headers or end-of-stream metadata). Made on first use.
 */
export function replyTrailer(ctx: Context): Metadata {
  let md = ctx.get(TRAILER_KEY);
  if (!md) {
    md = new Metadata();
    ctx.set(TRAILER_KEY, md);
  }
  return md;
}

/** The trailers set through {@link replyTrailer}, if any. */
export function trailerIfAny(ctx: Context): Metadata | undefined {
  const md = ctx.get(TRAILER_KEY);
  return md !== undefined && md.size > 0 ? md : undefined;
}
