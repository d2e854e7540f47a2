import type { Counter, Gauge, Metrics, Observer } from '@kratos/core';
import type { MetricOptions } from '@kratos/core/adapter';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  type HistogramSeries,
  type ValueSeries,
} from './series.ts';

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

type SeriesMetricOf = CounterMetric | GaugeMetric | HistogramMetric;

/** Label values bound so far; the series is looked up once, when all are bound. */
class Bound<S> {
  readonly #metric: SeriesMetricOf;
  readonly values: readonly string[];
  #series: S | undefined;

  constructor(metric: SeriesMetricOf, values: readonly string[]) {
    this.#metric = metric;
    this.values = values;
  }

  extend(more: readonly string[]): readonly string[] {
    const all = [...this.values, ...more];
    const labels = this.#metric.labelNames;
    if (all.length > labels.length) {
      throw new TypeError(
        `metric ${this.#metric.name} has ${labels.length} labels (${labels.join(', ')}), got ${all.length} values`,
      );
    }
    return all;
  }

  series(): S {
    if (this.#series !== undefined) return this.#series;
    const labels = this.#metric.labelNames;
    if (this.values.length !== labels.length) {
      throw new TypeError(
        `metric ${this.#metric.name} needs values for its labels (${labels.join(', ')}): call with(...) first`,
      );
    }
    this.#series = this.#metric.child(this.values) as S;
    return this.#series;
  }
}

class CounterAdapter implements Counter {
  readonly #metric: CounterMetric;
  readonly #bound: Bound<ValueSeries>;
  constructor(metric: CounterMetric, values: readonly string[]) {
    this.#metric = metric;
    this.#bound = new Bound(metric, values);
  }
  with(...values: string[]): Counter {
    return new CounterAdapter(this.#metric, this.#bound.extend(values));
  }
  inc(): void {
    this.#bound.series().value += 1;
  }
  add(delta: number): void {
    if (!(delta >= 0)) throw new RangeError(`counter ${this.#metric.name} cannot add ${delta}`);
    this.#bound.series().value += delta;
  }
}

class GaugeAdapter implements Gauge {
  readonly #metric: GaugeMetric;
  readonly #bound: Bound<ValueSeries>;
  constructor(metric: GaugeMetric, values: readonly string[]) {
    this.#metric = metric;
    this.#bound = new Bound(metric, values);
  }
  with(...values: string[]): Gauge {
    return new GaugeAdapter(this.#metric, this.#bound.extend(values));
  }
  set(value: number): void {
    this.#bound.series().value = value;
  }
  add(delta: number): void {
    this.#bound.series().value += delta;
  }
  sub(delta: number): void {
    this.#bound.series().value -= delta;
  }
}

class HistogramAdapter implements Observer {
  readonly #metric: HistogramMetric;
  readonly #bound: Bound<HistogramSeries>;
  constructor(metric: HistogramMetric, values: readonly string[]) {
    this.#metric = metric;
    this.#bound = new Bound(metric, values);
  }
  with(...values: string[]): Observer {
    return new HistogramAdapter(this.#metric, this.#bound.extend(values));
  }
  observe(value: number): void {
    this.#metric.observe(this.#bound.series(), value);
  }
}

// Default process metrics are registered once per registry (prom-client throws on a second time).
const withDefaults = new WeakSet<Registry>();

/**
 * Core `Metrics` for Prometheus: counters, gauges and histograms whose `with(...)` binds label
 * values in declared order, served by a prom-client registry, plus Node's process metrics.
 * Asking twice for the same name returns the metric already registered (so servers can share
 * it), provided the type and labels match.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? '';
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if ((options.defaultMetrics ?? true) && !withDefaults.has(registry)) {
    withDefaults.add(registry);
    collectDefaultMetrics({ register: registry, prefix });
  }

  const declare = <M extends SeriesMetricOf>(
    type: abstract new (...args: never[]) => M,
    o: MetricOptions,
    make: (name: string, labels: readonly string[]) => M,
  ): M => {
    const name = prefix + o.name;
    const labels = o.labels ?? [];
    const found = registry.getSingleMetric(name) as unknown;
    if (found !== undefined) {
      const foundLabels = (found as { labelNames?: readonly string[] }).labelNames ?? [];
      if (!(found instanceof type) || foundLabels.join(',') !== labels.join(',')) {
        throw new TypeError(
          `metric ${name} is already registered with another type or labels (${foundLabels.join(', ')})`,
        );
      }
      return found;
    }
    const m = make(name, labels);
    registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    return m;
  };

  return {
    registry,
    get contentType() {
      return registry.contentType;
    },
    metrics: () => registry.metrics(),
    counter(o) {
      return new CounterAdapter(
        declare(CounterMetric, o, (name, labels) => new CounterMetric(name, o.help, labels)),
        [],
      );
    },
    gauge(o) {
      return new GaugeAdapter(
        declare(GaugeMetric, o, (name, labels) => new GaugeMetric(name, o.help, labels)),
        [],
      );
    },
    histogram(o) {
      return new HistogramAdapter(
        declare(HistogramMetric, o, (name, labels) => new HistogramMetric(name, o.help, labels, o.buckets)),
        [],
      );
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
