import {
  type Context,
  GLOBAL_METADATA_PREFIX,
  LOCAL_METADATA_PREFIX,
  Metadata,
  type MetadataInit,
  type Middleware,
} from '@kratos/core';

/** Options of {@link serverMetadata}. */
export interface ServerMetadataOptions {
  /** Header prefixes copied into `ctx.metadata`. Default `x-md-` (global and local). */
  prefixes?: readonly string[];
  /** Constant metadata added to every call's `ctx.metadata`. */
  constants?: MetadataInit;
}

/**
 * Copies metadata headers of an incoming call (HTTP headers or gRPC metadata) into
 * `ctx.metadata`. The transports already copy `x-md-global-*` and `x-md-local-*`; this middleware
 * adds other prefixes and constants, as Go Kratos' `metadata.Server(WithPropagatedPrefix, WithConstants)`.
 */
export function serverMetadata(options: ServerMetadataOptions = {}): Middleware {
  const prefixes = (options.prefixes ?? ['x-md-']).map((p) => p.toLowerCase());
  const constants = new Metadata(options.constants);
  return (next) => (ctx, req) => {
    for (const [key, values] of ctx.requestHeader) {
      if (prefixes.some((p) => key.startsWith(p))) ctx.metadata.set(key, ...values);
    }
    if (constants.size > 0) ctx.metadata.merge(constants);
    return next(ctx, req);
  };
}

/** Options of {@link clientMetadata}. */
export interface ClientMetadataOptions {
  /** Prefix of server metadata that travels onward. Default `x-md-global-`. */
  propagatedPrefix?: string;
  /** Constant metadata sent with every call. */
  constants?: MetadataInit;
}

function serverAncestor(ctx: Context): Context | undefined {
  for (let c = ctx.parent; c; c = c.parent) if (c.side === 'server') return c;
  return undefined;
}

/**
 * Sends metadata with outgoing calls, as Go Kratos' `metadata.Client`: the configured constants,
 * the call's own `ctx.metadata` (any `x-md-*` key, local ones included), and from the server call
 * this one is made within, the `x-md-global-*` keys only, so global metadata crosses every hop
 * and local metadata exactly one.
 */
export function clientMetadata(options: ClientMetadataOptions = {}): Middleware {
  const prefix = (options.propagatedPrefix ?? GLOBAL_METADATA_PREFIX).toLowerCase();
  const constants = new Metadata(options.constants);
  return (next) => (ctx, req) => {
    const header = ctx.requestHeader;
    for (const [k, v] of constants) header.set(k, ...v);
    for (const [k, v] of ctx.metadata) header.set(k, ...v);
    const server = serverAncestor(ctx);
    if (server) {
      for (const [k, v] of server.metadata)
        if (k.startsWith(prefix) && !ctx.metadata.has(k)) header.set(k, ...v);
    }
    return next(ctx, req);
  };
}

/** True for keys the client middleware may send (kept for adapters that filter headers). */
export function isPropagatedKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.startsWith(GLOBAL_METADATA_PREFIX) || k.startsWith(LOCAL_METADATA_PREFIX);
}
