// BASELINE for side-by-side runs only: the BBR limiter of @kratos/middleware as it was before the
// event-loop turn guard (commit c12781b): Go's rule on the load signal, with calls finished in the
// current turn counted as in flight while hot. Not exported anywhere; `server.ts` mode `before`.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  acquireLoadSampler,
  type LoadSignal,
  loadOf,
  releaseLoadSampler,
} from '../../packages/middleware/src/ratelimit/load-signal.ts';
import { RollingWindow } from '../../packages/middleware/src/ratelimit/rolling-window.ts';

/** What the rate-limit middleware reports back when an admitted call finishes. */
export interface LimiterDoneInfo {
  error?: unknown;
}

/** Called once when an admitted call finishes. */
export type LimiterDone = (info: LimiterDoneInfo) => void;

/** Admits or sheds calls (Go Kratos' `ratelimit.Limiter`). */
export interface Limiter {
  /** A done callback when the call may run, `undefined` when it must be shed. */
  allow(): LimiterDone | undefined;
}

/** A snapshot of a BBR limiter's state (Go's `bbr.Stat`). */
export interface BbrStat {
  /** The overload signal, per mille. */
  cpu: number;
  inFlight: number;
  maxInFlight: number;
  /** Smallest average response time of a bucket in the window, ms. */
  minRt: number;
  /** Largest number of calls finished in one bucket of the window. */
  maxPass: number;
}

/** Options of {@link createBbrLimiter}; defaults are Go Kratos' (aegis `bbr`). */
export interface BbrLimiterOptions {
  /** Window of the pass and response-time statistics, ms. Default 10000. */
  window?: number;
  /** Buckets in the window. Default 100 (100 ms each). */
  bucket?: number;
  /** Load (per mille) from which calls may be shed. Default 800. */
  cpuThreshold?: number;
  /**
   * Built-in overload signal. Default `'elu'` (event-loop utilisation: see the README for the
   * measurements behind the choice); `'cpu'` is container/process CPU as Go reads it.
   */
  signal?: LoadSignal;
  /**
   * The real CPU quota when it cannot be read (Go's `WithCPUQuota`): the `cpu` signal is scaled
   * by available cores / quota. Ignored for `elu` and a custom `cpu`.
   */
  cpuQuota?: number;
  /** A custom load signal in per mille (0-1000), read on every call; replaces `signal`. */
  cpu?: () => number;
  /** Monotonic clock in ms. Default `performance.now`. */
  now?: () => number;
  /** How long shedding may go on after the load fell under the threshold, ms. Default 1000. */
  coolOff?: number;
}

/** A BBR limiter with its statistics and the release of the shared sampler. */
export interface BbrLimiter extends Limiter {
  stat(): BbrStat;
  /** Stops using the shared load sampler (the limiter still works with the last values). */
  close(): void;
}

/**
 * Go Kratos' BBR adaptive limiter (aegis `ratelimit/bbr`, after Alibaba Sentinel's system
 * adaptive protection): while the load is above the threshold, and for a cool-off second after
 * it fell back, a call is shed when the calls in flight exceed what the service has shown it can
 * carry: `maxPass x minRT x bucketsPerSecond / 1000` (the largest bucket's completions times the
 * smallest bucket's mean latency, Little's law).
 *
 * One Node difference: a handler that runs synchronously finishes before the next request of
 * the same event-loop turn starts, so "in flight" would never exceed one although those requests
 * queued together. While hot, requests finished in the current turn are therefore counted as in
 * flight until the turn ends (one `setImmediate` per turn, not per request).
 */
export function createBeforeLimiter(options: BbrLimiterOptions = {}): BbrLimiter {
  const window = options.window ?? 10_000;
  const size = options.bucket ?? 100;
  const threshold = options.cpuThreshold ?? 800;
  const now = options.now ?? (() => performance.now());
  const coolOff = options.coolOff ?? 1000;
  const bucketMs = window / size;
  if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) {
    throw new RangeError(`bbr: window ${window} ms over ${size} buckets`);
  }
  const bucketsPerSecond = Math.floor(1000 / bucketMs);
  const pass = new RollingWindow(size, bucketMs);
  const rt = new RollingWindow(size, bucketMs);

  let load: () => number;
  let usesSampler = false;
  if (options.cpu !== undefined) load = options.cpu;
  else {
    const signal = options.signal ?? 'elu';
    const quota = options.cpuQuota;
    if (signal === 'cpu' && quota !== undefined && quota > 0) {
      const scale = availableParallelism() / quota;
      load = () => loadOf('cpu') * scale;
    } else load = () => loadOf(signal);
    acquireLoadSampler();
    usesSampler = true;
  }

  let inFlight = 0;
  let prevDrop = 0; // clock time shedding started; 0 = not shedding
  let passCache = { val: 0, at: Number.NEGATIVE_INFINITY };
  let rtCache = { val: 0, at: Number.NEGATIVE_INFINITY };

  // Event-loop turn bookkeeping, only while hot (see above).
  let turn = 0;
  let turnOpen = false;
  let doneThisTurn = 0;
  const endTurn = () => {
    turn++;
    turnOpen = false;
    doneThisTurn = 0;
  };

  // Both statistics leave out the current (incomplete) bucket and are cached for one bucket.
  const maxPass = (t: number): number => {
    if (t - passCache.at < bucketMs) return passCache.val;
    let result = 1;
    pass.forEach(t, size - 1, 1, (_sum, count) => {
      if (count > result) result = count;
    });
    passCache = { val: result, at: t };
    return result;
  };
  const minRt = (t: number): number => {
    if (t - rtCache.at < bucketMs) return rtCache.val;
    let result = Number.POSITIVE_INFINITY;
    rt.forEach(t, size - 1, 1, (sum, count) => {
      if (count > 0) result = Math.min(result, sum / count);
    });
    const val = Number.isFinite(result) ? Math.max(1, Math.ceil(result)) : 1;
    rtCache = { val, at: t };
    return val;
  };
  // Go computes floor(x) + 0.5 and truncates it: the floor.
  const maxInFlight = (t: number): number => Math.floor((maxPass(t) * minRt(t) * bucketsPerSecond) / 1000);

  const exceeds = (t: number, hot: boolean): boolean => {
    if (hot && !turnOpen) {
      turnOpen = true;
      setImmediate(endTurn);
    }
    const n = inFlight + doneThisTurn;
    return n > 1 && n > maxInFlight(t);
  };

  const shouldDrop = (t: number): boolean => {
    if (load() < threshold) {
      if (prevDrop === 0) return false;
      if (t - prevDrop <= coolOff) return exceeds(t, true);
      prevDrop = 0;
      return false;
    }
    const drop = exceeds(t, true);
    if (drop && prevDrop === 0) prevDrop = t || Number.MIN_VALUE;
    return drop;
  };

  return {
    allow() {
      const start = now();
      if (shouldDrop(start)) return undefined;
      inFlight++;
      const admittedIn = turnOpen ? turn : -1;
      return () => {
        const end = now();
        const took = Math.ceil(end - start);
        if (took > 0) rt.add(took, end);
        inFlight--;
        pass.add(1, end);
        if (admittedIn === turn && turnOpen) doneThisTurn++;
      };
    },
    stat() {
      const t = now();
      return { cpu: load(), inFlight, maxInFlight: maxInFlight(t), minRt: minRt(t), maxPass: maxPass(t) };
    },
    close() {
      if (usesSampler) {
        usesSampler = false;
        releaseLoadSampler();
      }
    },
  };
}
