import { type Context, KratosError, type Middleware } from '@kratos/core';
import { nativeOf } from '@kratos/core/transport';
import { CIRCUITBREAKER_REASON } from '../circuitbreaker/circuitbreaker.ts';

/** Exponential backoff between attempts. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. Default 100. */
  initial?: number;
  /** Largest delay, ms. Default 1000. */
  max?: number;
  /** Growth per retry. Default 2. */
  multiplier?: number;
  /**
   * Randomisation: each delay is drawn uniformly from `delay x [1 - jitter, 1 + jitter]` (then
   * capped at `max`), so clients that failed together do not retry together. 0-1, default 0.2.
   */
  jitter?: number;
}

/** Options of {@link createRetryBudget}; defaults are gRPC's retry throttling (A6). */
export interface RetryBudgetOptions {
  /** Tokens when full. Default 10. */
  maxTokens?: number;
  /** Tokens a success gives back. Default 0.1. */
  tokenRatio?: number;
}

/**
 * gRPC's retry throttling (proposal A6): a retryable failure takes a token, a success gives back
 * `tokenRatio`; retries stop while at most half the tokens are left. Shared by every call of the
 * client it is given to, so a failing peer sees at most a bounded share of extra traffic.
 */
export interface RetryBudget {
  /** True while retries are allowed. */
  canRetry(): boolean;
  onSuccess(): void;
  onFailure(): void;
  readonly tokens: number;
}

/** Makes a {@link RetryBudget}. */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const maxTokens = options.maxTokens ?? 10;
  const ratio = options.tokenRatio ?? 0.1;
  let tokens = maxTokens;
  return {
    canRetry: () => tokens > maxTokens / 2,
    onSuccess() {
      tokens = Math.min(maxTokens, tokens + ratio);
    },
    onFailure() {
      tokens = Math.max(0, tokens - 1);
    },
    get tokens() {
      return tokens;
    },
  };
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /** HTTP codes of the errors worth another attempt. Default `[503]` (gRPC UNAVAILABLE). */
  retryableCodes?: readonly number[];
  backoff?: BackoffOptions;
  /** Default a {@link createRetryBudget} per middleware; `false` turns throttling off. */
  budget?: RetryBudget | false;
  /**
   * Operations safe to repeat: a list of operation names, or a predicate. Default: none by name;
   * see {@link RetryOptions.methods} for HTTP.
   */
  idempotent?: readonly string[] | ((ctx: Context) => boolean);
  /**
   * HTTP methods treated as idempotent when the call's method is known (the native object of the client
   * context carrying a `method`). Default GET, HEAD, PUT, DELETE, OPTIONS.
   */
  methods?: readonly string[];
  /** Uniform random numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Waits `ms`, failing early when `signal` fires. Default a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Wall clock in epoch ms, compared with `ctx.deadline`. Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The HTTP method of a client call, when the transport put it on the context. */
function methodOf(ctx: Context): string | undefined {
  const raw = nativeOf(ctx) as { method?: unknown } | null | undefined;
  return typeof raw?.method === 'string' ? raw.method.toUpperCase() : undefined;
}

/**
 * Client middleware that repeats idempotent calls failing with a retryable code, with jittered
 * exponential backoff, within the call's deadline and a shared retry budget.
 *
 * Each attempt calls the rest of the chain again with the same context: middleware after this one
 * run once per attempt, and the transport's innermost handler picks a node per attempt (so a
 * retry usually lands on another node). Nothing is retried past `ctx.deadline`: when the next
 * backoff would end after it, the last error is returned at once.
 */
export function retry(options: RetryOptions = {}): Middleware {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const codes = new Set(options.retryableCodes ?? [503]);
  const initial = options.backoff?.initial ?? 100;
  const max = options.backoff?.max ?? 1000;
  const multiplier = options.backoff?.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, options.backoff?.jitter ?? 0.2));
  const budget = options.budget === false ? undefined : (options.budget ?? createRetryBudget());
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const methods = new Set((options.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase()));
  const idem = options.idempotent;
  const byName = Array.isArray(idem) ? new Set<string>(idem) : undefined;
  const byPredicate = typeof idem === 'function' ? (idem as (ctx: Context) => boolean) : undefined;

  const isIdempotent = (ctx: Context): boolean => {
    if (byName?.has(ctx.operation) || byPredicate?.(ctx)) return true;
    const method = methodOf(ctx);
    return method !== undefined && methods.has(method);
  };

  const delayOf = (retryNo: number): number => {
    const base = Math.min(max, initial * multiplier ** (retryNo - 1));
    return Math.min(max, Math.max(0, base * (1 - jitter + 2 * jitter * random())));
  };

  return (next) => async (ctx, req) => {
    if (maxAttempts === 1 || !isIdempotent(ctx)) return next(ctx, req);
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await next(ctx, req);
        budget?.onSuccess();
        return reply;
      } catch (error) {
        const e = KratosError.fromError(error);
        // An open breaker (503 CIRCUITBREAKER) says the peer needs less traffic, not more.
        if (!codes.has(e.code) || e.reason === CIRCUITBREAKER_REASON) throw error;
        budget?.onFailure();
        if (attempt >= maxAttempts || (budget !== undefined && !budget.canRetry())) throw error;
        const delay = delayOf(attempt);
        if (ctx.deadline !== undefined && now() + delay >= ctx.deadline) throw error;
        try {
          await sleep(delay, ctx.signal);
        } catch {
          // Cancelled or expired while waiting: the caller gets the last real error.
          throw error;
        }
      }
    }
  };
}
