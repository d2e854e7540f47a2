import type { Metadata, Middleware } from '@kratos/core';

/**
 * For a subject's client: a client middleware that keeps each call's reply headers, found again
 * by the request object the call was made with (the middleware sees both).
 */
export function replyHeaderCapture(): {
  middleware: Middleware;
  /** The reply headers of the call made with `req` (lower-case keys), `{}` when none. */
  of(req: object): Record<string, string>;
} {
  const replies = new WeakMap<object, Metadata>();
  return {
    middleware: (next) => async (ctx, req) => {
      try {
        return await next(ctx, req);
      } finally {
        replies.set(req as object, ctx.replyHeader);
      }
    },
    of: (req) => replies.get(req)?.toRecord() ?? {},
  };
}
