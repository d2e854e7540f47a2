import type { AppInfo } from '../app/app-info.ts';
import { KratosError } from '../errors/kratos-error.ts';

/** What an App hands a server when starting it. */
export interface ServerStartOptions {
  /** The app's identity; transports put it on every call's context. */
  app?: AppInfo | undefined;
}

/** What an App hands a server when stopping it. */
export interface ServerStopOptions {
  /** Fires when the graceful stop has run out of time: drop what is left and return. */
  signal?: AbortSignal | undefined;
}

/**
 * A transport server. `start` resolves once it listens; `stop` drains in-flight calls, refusing
 * new ones, and forces the rest closed when `signal` fires.
 */
export interface Server {
  start(options?: ServerStartOptions): Promise<void>;
  stop(options?: ServerStopOptions): Promise<void>;
}

/**
 * Runs a server's graceful stop (`graceful`), calling `force` (drop what is left) if `signal`
 * fires before it completes, or has already fired. Resolves when `graceful` settles; `force` is
 * never called after that. The part of `Server.stop` every transport shares.
 */
export async function stopGracefully(
  signal: AbortSignal | undefined,
  graceful: () => Promise<void>,
  force: () => void,
): Promise<void> {
  let done = false;
  const onAbort = () => {
    if (!done) force();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await graceful();
  } finally {
    done = true;
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A server that can say where it is reachable, in Go Kratos' URL form. */
export interface Endpointer {
  /** e.g. `grpc://10.0.0.5:9000?isSecure=false`; valid after `start`. */
  endpoint(): URL;
}

/** True when a server can report its endpoint. */
export function isEndpointer(value: unknown): value is Endpointer {
  return typeof (value as Partial<Endpointer> | null)?.endpoint === 'function';
}

/**
 * Admits or sheds calls at a server's door (early admission, the `limiter` option of the HTTP,
 * gRPC and rpc servers): the shape of `@kratos/middleware`'s `Limiter` (a BBR limiter from
 * `createBbrLimiter()` fits) and of Go Kratos' `ratelimit.Limiter`.
 */
export interface AdmissionLimiter {
  /** A done callback when the call may run (called once when it ends), `undefined` to shed it. */
  allow(): AdmissionDone | undefined;
}

/** Reports to an {@link AdmissionLimiter} that an admitted call ended (`error`: how it failed). */
export type AdmissionDone = (info: { error?: unknown }) => void;

/** What a shed call is answered: 429 `RATELIMIT` with Go Kratos' message, as `rateLimit()` sheds. */
export function rateLimitedError(): KratosError {
  return new KratosError(429, 'RATELIMIT', 'service unavailable due to rate limit exceeded');
}
