import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { acquireLoadSampler, type LoadSignal, loadOf, releaseLoadSampler } from './load-signal.ts';
import { RollingWindow } from './rolling-window.ts';
import { TurnGuard } from './turn-guard.ts';

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
  /**
   * Synchronous calls a backed-up event-loop turn admits when nothing else takes its time
   * (`turnBudget` over the smallest mean duration of a synchronous call, rounded up); the guard
   * itself counts the turn's measured time. `Infinity` while unknown or off.
   */
  maxPerTurn: number;
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
  /**
   * Node only: synchronous handler work (ms) one event-loop turn may admit while the loop is
   * backed up; the calls past it in that turn are shed. Bounds the wait of admitted calls when
   * handlers keep the loop busy, whatever the load signal reads. Default 10; 0 turns it off
   * (Go Kratos' behaviour exactly).
   */
  turnBudget?: number;
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
 * One Node addition, the turn guard: a handler that runs synchronously finishes before the
 * next request of the same event-loop turn starts, so "in flight" never exceeds one although those
 * requests queued together. While the loop is backed up (the previous turn ran at least
 * `turnBudget` ms, or the load is over the threshold), each turn admits calls until it has run
 * `turnBudget` ms and sheds the rest.
 */
export function createBbrLimiter(options: BbrLimiterOptions = {}): BbrLimiter {
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

  const guard = new TurnGuard(options.turnBudget ?? 10, size, bucketMs, now);
  let inFlight = 0;
  let prevDrop = 0; // clock time shedding started; 0 = not shedding
  let passCache = { val: 0, at: Number.NEGATIVE_INFINITY };
  let rtCache = { val: 0, at: Number.NEGATIVE_INFINITY };

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

  const exceeds = (t: number): boolean => inFlight > 1 && inFlight > maxInFlight(t);

  const shouldDrop = (t: number, hot: boolean): boolean => {
    if (!hot) {
      if (prevDrop === 0) return false;
      if (t - prevDrop <= coolOff) return exceeds(t);
      prevDrop = 0;
      return false;
    }
    const drop = exceeds(t);
    if (drop && prevDrop === 0) prevDrop = t || Number.MIN_VALUE;
    return drop;
  };

  return {
    allow() {
      const start = now();
      const hot = load() >= threshold;
      if (guard.arrive(start, hot) || shouldDrop(start, hot)) return undefined;
      guard.admitted();
      inFlight++;
      const turn = guard.turn;
      return () => {
        const end = now();
        const took = end - start;
        const ms = Math.ceil(took);
        if (ms > 0) rt.add(ms, end);
        inFlight--;
        pass.add(1, end);
        guard.finished(turn, took, end);
      };
    },
    stat() {
      const t = now();
      return {
        cpu: load(),
        inFlight,
        maxInFlight: maxInFlight(t),
        minRt: minRt(t),
        maxPass: maxPass(t),
        maxPerTurn: guard.limit(t),
      };
    },
    close() {
      if (usesSampler) {
        usesSampler = false;
        releaseLoadSampler();
      }
    },
  };
}
