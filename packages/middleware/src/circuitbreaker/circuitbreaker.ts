import {
  isGatewayTimeout,
  isInternalServer,
  isServiceUnavailable,
  KratosError,
  type Middleware,
} from '@kratos/core';
import { type CircuitBreaker, createSreBreaker } from './sre.ts';

/** Reason of a call rejected by an open breaker, as Go Kratos. */
export const CIRCUITBREAKER_REASON = 'CIRCUITBREAKER';
const MESSAGE = 'request failed due to circuit breaker triggered';

/** The error a rejected call gets: 503 `CIRCUITBREAKER` (UNAVAILABLE on gRPC), Go's message. */
export function circuitBreakerOpen(): KratosError {
  return new KratosError(503, CIRCUITBREAKER_REASON, MESSAGE);
}

/** True for the error {@link circuitBreaker} rejects calls with. */
export function isCircuitBreakerOpen(error: unknown): boolean {
  return KratosError.is(error) && error.code === 503 && error.reason === CIRCUITBREAKER_REASON;
}

/** What Go Kratos counts as a failure: 500, 503 and 504. */
export function isBreakerFailure(error: unknown): boolean {
  return isInternalServer(error) || isServiceUnavailable(error) || isGatewayTimeout(error);
}

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Makes the breaker of one operation. Default `createSreBreaker()` with Go's settings. */
  breaker?: (operation: string) => CircuitBreaker;
  /** Errors that count against the peer. Default {@link isBreakerFailure} (500, 503, 504). */
  isFailure?: (error: unknown) => boolean;
}

/**
 * Client middleware with one breaker per operation, like Go Kratos' `circuitbreaker.Client()`:
 * a call the breaker refuses fails at once with 503 `CIRCUITBREAKER` (and counts as a failure,
 * as in Go, so a struggling peer is not flooded the moment it recovers a little).
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): Middleware {
  const make = options.breaker ?? (() => createSreBreaker());
  const isFailure = options.isFailure ?? isBreakerFailure;
  const breakers = new Map<string, CircuitBreaker>();
  const get = (operation: string): CircuitBreaker => {
    let b = breakers.get(operation);
    if (b === undefined) {
      b = make(operation);
      breakers.set(operation, b);
    }
    return b;
  };
  return (next) => async (ctx, req) => {
    const breaker = get(ctx.operation);
    if (!breaker.allow()) {
      breaker.markFailed();
      throw circuitBreakerOpen();
    }
    let reply: unknown;
    try {
      reply = await next(ctx, req);
    } catch (error) {
      if (isFailure(error)) breaker.markFailed();
      else breaker.markSuccess();
      throw error;
    }
    breaker.markSuccess();
    return reply;
  };
}
