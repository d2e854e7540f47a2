// Early admission: the server's `limiter` decides on a request as soon as its head is parsed,
// before fastify routes it or reads its body, so a shed request costs the server as little as it
// can (Go Kratos sheds in the middleware chain, after the body is decoded; this is the point where
// grpc-go users put a tap handle for the same purpose).
import type { ServerResponse } from 'node:http';
import { KratosError } from '@kratos/core';
import { errorBody } from './errors.ts';

/**
 * Admits or sheds calls: the shape of `@kratos/middleware`'s `Limiter` (a BBR limiter from
 * `createBbrLimiter()` fits) and of Go Kratos' `ratelimit.Limiter`.
 */
export interface AdmissionLimiter {
  /** A done callback when the call may run (called once when it ends), `undefined` to shed it. */
  allow(): ((info: { error?: unknown }) => void) | undefined;
}

/** The answer of a shed request: 429 `RATELIMIT` with Go Kratos' message, as `rateLimit()` sheds. */
export function rateLimitedError(): KratosError {
  return new KratosError(429, 'RATELIMIT', 'service unavailable due to rate limit exceeded');
}

const SHED_BODY = errorBody(rateLimitedError());
const SHED_HEADERS = {
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(SHED_BODY)),
};

const noInfo = {};

/**
 * Asks `limiter` whether the request answered by `res` may be served. Admitted: true, and the
 * limiter's done runs when the response ends (sent or aborted). Shed: false, and a 429 has been
 * written (the connection stays open; an unread body is discarded by Node).
 */
export function admit(limiter: AdmissionLimiter, res: ServerResponse): boolean {
  const done = limiter.allow();
  if (done === undefined) {
    res.writeHead(429, SHED_HEADERS);
    res.end(SHED_BODY);
    return false;
  }
  res.once('close', () => done(noInfo));
  return true;
}
