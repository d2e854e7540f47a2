/** A monotonically increasing count. `with` binds label values in declared order. */
export interface Counter {
  with(...labelValues: string[]): Counter;
  inc(): void;
  add(delta: number): void;
}

/** A value that goes up and down. */
export interface Gauge {
  with(...labelValues: string[]): Gauge;
  set(value: number): void;
  add(delta: number): void;
  sub(delta: number): void;
}

/** Records observations (a histogram or summary). */
export interface Observer {
  with(...labelValues: string[]): Observer;
  observe(value: number): void;
}

/** How a metric is declared. */
export interface MetricOptions {
  name: string;
  help: string;
  labels?: readonly string[];
  /** Histogram bucket bounds (seconds for latency). */
  buckets?: readonly number[];
}

/** Makes metrics; `@kratos/metrics-prometheus` implements it over prom-client. */
export interface Metrics {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: MetricOptions): Observer;
}

/** A counter that does nothing. */
export const noopCounter: Counter = { with: () => noopCounter, inc() {}, add() {} };
/** A gauge that does nothing. */
export const noopGauge: Gauge = { with: () => noopGauge, set() {}, add() {}, sub() {} };
/** An observer that does nothing. */
export const noopObserver: Observer = { with: () => noopObserver, observe() {} };
/** Metrics that do nothing: the default, so library code can always record. */
export const noopMetrics: Metrics = {
  counter: () => noopCounter,
  gauge: () => noopGauge,
  histogram: () => noopObserver,
};
