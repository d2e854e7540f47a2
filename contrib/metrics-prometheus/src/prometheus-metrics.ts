import type { Counter, Gauge, MetricOptions, Metrics, Observer } from '@kratos/core';
import {
  collectDefaultMetrics,
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
} from 'prom-client';

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The prom-client registry metrics are registered in. Default: a new one. */
  registry?: Registry;
  /** Also collect Node's process metrics (CPU, memory, event loop lag, GC, handles). Default true. */
  defaultMetrics?: boolean;
  /** Prepended to every metric name, process metrics included (`myapp_`). Default none, so names match Go Kratos'. */
  prefix?: string;
  /** Labels added to every series of the registry (`{ service: 'helloworld' }`). Default none. */
  defaultLabels?: Record<string, string>;
}

/** Core `Metrics` over prom-client, with the registry to scrape. */
export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** The exposition text of every metric (what `/metrics` serves). */
  metrics(): Promise<string>;
  /** The `Content-Type` of {@link PrometheusMetrics.metrics}. */
  readonly contentType: string;
}

type PromMetric = PromCounter<string> | PromGauge<string> | PromHistogram<string>;

/** Binds label values (in declared order) and caches the child once all are bound. */
class Bound<C> {
  readonly #metric: PromMetric;
  readonly #labels: readonly string[];
  readonly values: readonly string[];
  #child: C | undefined;

  constructor(metric: PromMetric, labels: readonly string[], values: readonly string[]) {
    this.#metric = metric;
    this.#labels = labels;
    this.values = values;
  }

  extend(more: readonly string[]): readonly string[] {
    const all = [...this.values, ...more];
    if (all.length > this.#labels.length) {
      throw new TypeError(
        `metric ${(this.#metric as unknown as { name: string }).name} has ${this.#labels.length} labels (${this.#labels.join(', ')}), got ${all.length} values`,
      );
    }
    return all;
  }

  child(): C {
    if (this.#child !== undefined) return this.#child;
    const labels = this.#labels;
    if (this.values.length !== labels.length) {
      throw new TypeError(
        `metric ${(this.#metric as unknown as { name: string }).name} needs values for its labels (${labels.join(', ')}): call with(...) first`,
      );
    }
    const child = (labels.length === 0 ? this.#metric : this.#metric.labels(...this.values)) as C;
    this.#child = child;
    return child;
  }
}

class PromCounterAdapter implements Counter {
  readonly #bound: Bound<{ inc(v?: number): void }>;
  readonly #metric: PromCounter<string>;
  readonly #labels: readonly string[];
  constructor(metric: PromCounter<string>, labels: readonly string[], values: readonly string[]) {
    this.#metric = metric;
    this.#labels = labels;
    this.#bound = new Bound(metric, labels, values);
  }
  with(...values: string[]): Counter {
    return new PromCounterAdapter(this.#metric, this.#labels, this.#bound.extend(values));
  }
  inc(): void {
    this.#bound.child().inc();
  }
  add(delta: number): void {
    this.#bound.child().inc(delta);
  }
}

class PromGaugeAdapter implements Gauge {
  readonly #bound: Bound<{ set(v: number): void; inc(v?: number): void; dec(v?: number): void }>;
  readonly #metric: PromGauge<string>;
  readonly #labels: readonly string[];
  constructor(metric: PromGauge<string>, labels: readonly string[], values: readonly string[]) {
    this.#metric = metric;
    this.#labels = labels;
    this.#bound = new Bound(metric, labels, values);
  }
  with(...values: string[]): Gauge {
    return new PromGaugeAdapter(this.#metric, this.#labels, this.#bound.extend(values));
  }
  set(value: number): void {
    this.#bound.child().set(value);
  }
  add(delta: number): void {
    this.#bound.child().inc(delta);
  }
  sub(delta: number): void {
    this.#bound.child().dec(delta);
  }
}

class PromHistogramAdapter implements Observer {
  readonly #bound: Bound<{ observe(v: number): void }>;
  readonly #metric: PromHistogram<string>;
  readonly #labels: readonly string[];
  constructor(metric: PromHistogram<string>, labels: readonly string[], values: readonly string[]) {
    this.#metric = metric;
    this.#labels = labels;
    this.#bound = new Bound(metric, labels, values);
  }
  with(...values: string[]): Observer {
    return new PromHistogramAdapter(this.#metric, this.#labels, this.#bound.extend(values));
  }
  observe(value: number): void {
    this.#bound.child().observe(value);
  }
}

// Default process metrics are registered once per registry (prom-client throws on a second time).
const withDefaults = new WeakSet<Registry>();

/**
 * Core `Metrics` over prom-client: counters, gauges and histograms whose `with(...)` binds label
 * values in declared order, plus Node's process metrics. Asking twice for the same name returns
 * the metric already registered (so servers can share it), provided the type and labels match.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? '';
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if ((options.defaultMetrics ?? true) && !withDefaults.has(registry)) {
    withDefaults.add(registry);
    collectDefaultMetrics({ register: registry, prefix });
  }

  const existing = <T>(type: new (...args: never[]) => T, o: MetricOptions): T | undefined => {
    const name = prefix + o.name;
    const found = registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    const labels = (found as unknown as { labelNames?: string[] }).labelNames ?? [];
    if (!(found instanceof type) || labels.join(',') !== (o.labels ?? []).join(',')) {
      throw new TypeError(
        `metric ${name} is already registered with another type or labels (${labels.join(', ')})`,
      );
    }
    return found;
  };
  const config = (o: MetricOptions) => ({
    name: prefix + o.name,
    help: o.help,
    labelNames: [...(o.labels ?? [])],
    registers: [registry],
  });

  return {
    registry,
    get contentType() {
      return registry.contentType;
    },
    metrics: () => registry.metrics(),
    counter(o) {
      const m = existing(PromCounter, o) ?? new PromCounter(config(o));
      return new PromCounterAdapter(m, o.labels ?? [], []);
    },
    gauge(o) {
      const m = existing(PromGauge, o) ?? new PromGauge(config(o));
      return new PromGaugeAdapter(m, o.labels ?? [], []);
    },
    histogram(o) {
      const m =
        existing(PromHistogram, o) ??
        new PromHistogram({ ...config(o), ...(o.buckets ? { buckets: [...o.buckets] } : {}) });
      return new PromHistogramAdapter(m, o.labels ?? [], []);
    },
  };
}

/** What {@link metricsHandler} writes the content type to (a fastify reply fits). */
export interface MetricsReply {
  header(name: string, value: string): unknown;
}

/**
 * A plain route handler serving the exposition text, for `httpServer.get('/metrics', ...)` of
 * `@kratos/http` (or any fastify route).
 */
export function metricsHandler(
  source: Registry | PrometheusMetrics,
): (request: unknown, reply: MetricsReply) => Promise<string> {
  const registry = source instanceof Registry ? source : source.registry;
  return async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  };
}

/** A server with plain GET routes, like `@kratos/http`'s HttpServer (`H` is its handler type). */
export interface MetricsMountTarget<H> {
  get(path: string, handler: H): void;
}

/** Serves `source` at `path` (default `/metrics`) on an HTTP server: `mountMetrics(httpServer, metrics)`. */
export function mountMetrics<H>(
  server: MetricsMountTarget<H>,
  source: Registry | PrometheusMetrics,
  path = '/metrics',
): void {
  // The handler only calls `reply.header(...)` and returns the body: any fastify-style route fits.
  server.get(path, metricsHandler(source) as unknown as H);
}
