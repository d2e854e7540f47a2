import {
  type Context,
  type Counter,
  KratosError,
  type Metrics,
  type Middleware,
  noopMetrics,
  type Observer,
} from '@kratos/core';

/** Go Kratos' latency buckets, seconds. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** The label value of calls whose operation is empty (a transport that knows none). */
export const UNKNOWN_OPERATION = 'unknown';
/** The label value of operations seen after `maxOperations` distinct ones. */
export const OTHER_OPERATION = 'other';
/** The label value of reasons seen after `maxReasons` distinct ones. */
export const OTHER_REASON = 'OTHER';

/** Options of {@link serverMetrics} and {@link clientMetrics}. */
export interface MetricsOptions {
  /**
   * Where the two default metrics are made (`@kratos/metrics-prometheus` for Prometheus). They are
   * made once per `Metrics` object and side, so several servers can share them. Default: no-op.
   */
  metrics?: Metrics;
  /** A counter of your own with labels `kind, operation, code, reason` (wins over `metrics`). */
  requests?: Counter;
  /** A histogram of your own with labels `kind, operation`, observed in seconds (wins over `metrics`). */
  seconds?: Observer;
  /** Buckets of the default histogram. Default Go Kratos' 5 ms ... 1 s. */
  buckets?: readonly number[];
  /**
   * Distinct operation label values kept; later new operations are counted as `other`, so a
   * caller inventing operations cannot grow the series without bound. Default 1000.
   */
  maxOperations?: number;
  /** Distinct reason label values kept before new ones become `OTHER`. Default 200. */
  maxReasons?: number;
}

/** Hands out label values until `max` distinct ones are in use, then `overflow`. */
class LabelGuard {
  readonly #known = new Set<string>();
  readonly #max: number;
  readonly #overflow: string;
  constructor(max: number, overflow: string) {
    this.#max = max;
    this.#overflow = overflow;
  }
  label(value: string): string {
    if (this.#known.has(value)) return value;
    if (this.#known.size >= this.#max) return this.#overflow;
    this.#known.add(value);
    return value;
  }
}

const CACHE_LIMIT = 10_000;

/** The metrics of one side, with bound children cached per label set. */
class Family {
  readonly requests: Counter;
  readonly seconds: Observer;
  readonly operations: LabelGuard;
  readonly reasons: LabelGuard;
  readonly #counters = new Map<string, Counter>();
  readonly #observers = new Map<string, Observer>();

  constructor(requests: Counter, seconds: Observer, maxOperations: number, maxReasons: number) {
    this.requests = requests;
    this.seconds = seconds;
    this.operations = new LabelGuard(maxOperations, OTHER_OPERATION);
    this.reasons = new LabelGuard(maxReasons, OTHER_REASON);
  }

  operation(op: string): string {
    return op === '' ? UNKNOWN_OPERATION : this.operations.label(op);
  }

  counter(kind: string, op: string, code: number, reason: string): Counter {
    const key = `${kind}\0${op}\0${code}\0${reason}`;
    let c = this.#counters.get(key);
    if (c === undefined) {
      c = this.requests.with(kind, op, String(code), reason);
      if (this.#counters.size < CACHE_LIMIT) this.#counters.set(key, c);
    }
    return c;
  }

  observer(kind: string, op: string): Observer {
    const key = `${kind}\0${op}`;
    let o = this.#observers.get(key);
    if (o === undefined) {
      o = this.seconds.with(kind, op);
      if (this.#observers.size < CACHE_LIMIT) this.#observers.set(key, o);
    }
    return o;
  }
}

const shared = new WeakMap<Metrics, { server?: Family; client?: Family }>();

function familyFor(side: 'server' | 'client', options: MetricsOptions): Family {
  const maxOperations = options.maxOperations ?? 1000;
  const maxReasons = options.maxReasons ?? 200;
  const metrics = options.metrics ?? noopMetrics;
  const make = () =>
    new Family(
      options.requests ??
        metrics.counter({
          name: `${side}_requests_code_total`,
          help: `The total number of processed ${side} requests`,
          labels: ['kind', 'operation', 'code', 'reason'],
        }),
      options.seconds ??
        metrics.histogram({
          name: `${side}_requests_seconds`,
          help: `${side} requests duration (sec)`,
          labels: ['kind', 'operation'],
          buckets: options.buckets ?? DEFAULT_SECONDS_BUCKETS,
        }),
      maxOperations,
      maxReasons,
    );
  // Metrics made from a shared `Metrics` are shared too: a second server asking for them must not
  // register the same names twice.
  if (options.requests !== undefined || options.seconds !== undefined) return make();
  let entry = shared.get(metrics);
  if (entry === undefined) {
    entry = {};
    shared.set(metrics, entry);
  }
  entry[side] ??= make();
  return entry[side];
}

/** What a chain needs for one (kind, operation): resolved once, not per call. */
interface Bound {
  kind: string;
  operation: string;
  label: string;
  ok: Counter;
  seconds: Observer;
}

function metricsMiddleware(side: 'server' | 'client', options: MetricsOptions): Middleware {
  const family = familyFor(side, options);
  const bind = (ctx: Context): Bound => {
    const label = family.operation(ctx.operation);
    return {
      kind: ctx.kind,
      operation: ctx.operation,
      label,
      ok: family.counter(ctx.kind, label, 200, ''),
      seconds: family.observer(ctx.kind, label),
    };
  };
  return (next) => {
    // A chain is built per route, so its operation almost never changes: the last one is kept.
    let last: Bound | undefined;
    const boundFor = (ctx: Context): Bound => {
      if (last !== undefined && last.operation === ctx.operation && last.kind === ctx.kind) return last;
      last = bind(ctx);
      return last;
    };
    return (ctx, req) => {
      const start = performance.now();
      let p: Promise<unknown>;
      try {
        p = next(ctx, req);
      } catch (err) {
        p = Promise.reject(err);
      }
      return p.then(
        (reply) => {
          const b = boundFor(ctx);
          b.ok.inc();
          b.seconds.observe((performance.now() - start) / 1000);
          return reply;
        },
        (err: unknown) => {
          const b = boundFor(ctx);
          const e = KratosError.fromError(err);
          const reason = e.reason === '' ? '' : family.reasons.label(e.reason);
          family.counter(b.kind, b.label, e.code, reason).inc();
          b.seconds.observe((performance.now() - start) / 1000);
          throw err;
        },
      );
    };
  };
}

/**
 * Go Kratos' `metrics.Server`: counts handled calls in `server_requests_code_total{kind,
 * operation, code, reason}` and observes their latency in `server_requests_seconds{kind,
 * operation}` (seconds; `kind` is the transport, `http` or `grpc`; `code` the HTTP-style status,
 * 200 on success). Operation values are capped (`maxOperations`), so label explosion is bounded.
 */
export function serverMetrics(options: MetricsOptions = {}): Middleware {
  return metricsMiddleware('server', options);
}

/** Go Kratos' `metrics.Client`: `client_requests_code_total` and `client_requests_seconds`. */
export function clientMetrics(options: MetricsOptions = {}): Middleware {
  return metricsMiddleware('client', options);
}
