import { performance } from 'node:perf_hooks';
import { RollingWindow } from '../ratelimit/rolling-window.ts';

/** A breaker guarding one operation (Go Kratos' `circuitbreaker.CircuitBreaker`). */
export interface CircuitBreaker {
  /** False when the call must be rejected without being made. */
  allow(): boolean;
  markSuccess(): void;
  markFailed(): void;
}

/** Options of {@link createSreBreaker}; defaults are Go Kratos' (aegis `circuitbreaker/sre`). */
export interface SreBreakerOptions {
  /** Success ratio the breaker aims for; K = 1 / success. Default 0.6. */
  success?: number;
  /** The multiplier K directly (wins over `success`). Default 1 / 0.6. */
  k?: number;
  /** Fewer calls than this in the window never trip the breaker. Default 100. */
  request?: number;
  /** Buckets in the window. Default 10. */
  bucket?: number;
  /** Statistics window, ms. Default 3000. */
  window?: number;
  /** Uniform random numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** An SRE breaker that can report its state and figures. */
export interface SreBreaker extends CircuitBreaker {
  /** `open` while the breaker drops calls with some probability (Go's StateOpen). */
  readonly state: 'open' | 'closed';
  /** Successes and total calls in the window. */
  summary(): { accepts: number; total: number };
}

/**
 * Google SRE adaptive throttling ("Handling Overload", client-side throttling), as Go Kratos'
 * aegis: with `requests` calls and `accepts` successes in the window, a call is dropped with
 * probability `max(0, (requests - K x accepts) / (requests + 1))`, once at least `request` calls
 * were seen. There is no half-open state: as successes come back the probability falls.
 */
export function createSreBreaker(options: SreBreakerOptions = {}): SreBreaker {
  const k = options.k ?? 1 / (options.success ?? 0.6);
  const request = options.request ?? 100;
  const size = options.bucket ?? 10;
  const window = options.window ?? 3000;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`sre breaker: bad K ${k}`);
  const stat = new RollingWindow(size, window / size);
  let state: 'open' | 'closed' = 'closed';

  const summary = () => {
    let accepts = 0;
    let total = 0;
    stat.forEach(now(), size - 1, 0, (sum, count) => {
      accepts += sum;
      total += count;
    });
    return { accepts, total };
  };

  return {
    get state() {
      return state;
    },
    summary,
    allow() {
      const { accepts, total } = summary();
      const requests = k * accepts;
      if (total < request || total < requests) {
        state = 'closed';
        return true;
      }
      state = 'open';
      const dr = Math.max(0, (total - requests) / (total + 1));
      return !(random() < dr);
    },
    markSuccess() {
      stat.add(1, now());
    },
    markFailed() {
      stat.add(0, now());
    },
  };
}
