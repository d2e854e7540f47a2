// Early admission: the server's `limiter` decides on a request as soon as its head is parsed,
// before fastify routes it or reads its body, so a shed request costs the server as little as it
// can (Go Kratos sheds in the middleware chain, after the body is decoded; this is the point where
// grpc-go users put a tap handle for the same purpose).
import type { ServerResponse } from 'node:http';
import { type AdmissionLimiter, rateLimitedError } from '@kratos/core/transport';
import { errorBody } from './errors.ts';

export type { AdmissionLimiter };
export { rateLimitedError };

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
