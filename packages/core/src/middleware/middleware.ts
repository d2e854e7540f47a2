import type { Context } from '../context/context.ts';

/** Handles one call: the transport's endpoint handler, or the rest of a middleware chain. */
export type Handler<Req = unknown, Reply = unknown> = (ctx: Context, req: Req) => Promise<Reply>;

/** Wraps a handler; the same middleware runs on HTTP and gRPC, server and client side. */
export type Middleware = (next: Handler) => Handler;

/**
 * A middleware that only applies to some operations. Transports resolve it once per route at
 * registration (see {@link applyMiddleware}), so unmatched routes pay nothing per request.
 */
export interface SelectiveMiddleware extends Middleware {
  /** True when the middleware applies to `operation`. */
  readonly appliesTo: (operation: string) => boolean;
}

function isSelective(m: Middleware): m is SelectiveMiddleware {
  return typeof (m as Partial<SelectiveMiddleware>).appliesTo === 'function';
}

/** Composes middleware; the first one is the outermost. */
export function chain(...middleware: Middleware[]): Middleware {
  return (next) => {
    let h = next;
    for (let i = middleware.length - 1; i >= 0; i--) h = middleware[i]!(h);
    return h;
  };
}

/**
 * Wraps `handler` in `middleware` (first outermost), built once. When `operation` is known (a
 * route at registration), selective middleware that do not apply to it are left out entirely.
 */
export function applyMiddleware(
  handler: Handler,
  middleware: readonly Middleware[],
  operation?: string,
): Handler {
  let h = handler;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const m = middleware[i]!;
    if (operation !== undefined && isSelective(m)) {
      if (m.appliesTo(operation)) h = m(h);
    } else {
      h = m(h);
    }
  }
  return h;
}
