import { KratosError, type Middleware } from '@kratos/core';
import { createBbrLimiter, type Limiter } from './bbr.ts';

/** Reason of a shed call, as Go Kratos. */
export const RATELIMIT_REASON = 'RATELIMIT';
const MESSAGE = 'service unavailable due to rate limit exceeded';

/** The error a shed call gets: 429 `RATELIMIT` (RESOURCE_EXHAUSTED on gRPC), Go's message. */
export function rateLimitExceeded(): KratosError {
  return new KratosError(429, RATELIMIT_REASON, MESSAGE);
}

/** True for the error {@link rateLimit} sheds calls with. */
export function isRateLimited(error: unknown): boolean {
  return KratosError.is(error) && error.code === 429 && error.reason === RATELIMIT_REASON;
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Default `createBbrLimiter()` (one per middleware instance, shared by every route it wraps). */
  limiter?: Limiter;
}

/**
 * Server middleware that sheds calls the limiter refuses with 429 `RATELIMIT`, like Go Kratos'
 * `ratelimit.Server()`. Put it early in the chain, so shed calls cost little; scope it with
 * core's `matchOperations(...)`.
 */
export function rateLimit(options: RateLimitOptions = {}): Middleware {
  const limiter = options.limiter ?? createBbrLimiter();
  return (next) => async (ctx, req) => {
    const done = limiter.allow();
    if (done === undefined) throw rateLimitExceeded();
    try {
      const reply = await next(ctx, req);
      done({});
      return reply;
    } catch (error) {
      done({ error });
      throw error;
    }
  };
}
