import { KratosError } from '@kratos/core';

/** Node.js / undici error codes of a broken connection (Go's `net.Error`). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
]);

/** gRPC status codes CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE of a raw grpc-js error. */
const GRPC_FAILURE_CODES = new Set([1, 4, 14]);

/**
 * The default test of whether a call's error counts against its node's success rate, as Go
 * Kratos' EWMA node decides: deadline exceeded and cancelled (504, 499, `TimeoutError`,
 * `AbortError`), 503 and network errors. Business errors (404, 400, 500 ...) do not: the node
 * answered.
 */
export function isNodeFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e != null; depth++) {
    if (KratosError.is(e)) {
      if (e.code === 499 || e.code === 503 || e.code === 504) return true;
    } else if (typeof e === 'object') {
      const o = e as { name?: unknown; code?: unknown; details?: unknown };
      if (o.name === 'AbortError' || o.name === 'TimeoutError') return true;
      if (typeof o.code === 'string' && NETWORK_CODES.has(o.code)) return true;
      if (typeof o.code === 'number' && typeof o.details === 'string' && GRPC_FAILURE_CODES.has(o.code)) {
        return true;
      }
    }
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return false;
}
