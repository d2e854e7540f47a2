// Counters, gauges and histograms kept as plain numbers per label set and turned into
// prom-client's metric shape only when scraped. prom-client's own `labels(...).inc()` hashes the
// label object on every call (about 1 µs); here a bound child is a field increment, which keeps
// the metrics middleware inside the per-request budget of PERFORMANCE.md.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Labels = Record<string, string>;

/** One value of prom-client's `MetricObject`. */
interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** What prom-client's registry reads from a metric (`get()`), see its `Metric` interface. */
interface MetricObject {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  values: MetricValue[];
}

export interface ValueSeries {
  value: number;
}

export interface HistogramSeries {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

function validate(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`invalid metric name "${name}"`);
  for (const l of labelNames) {
    if (!LABEL_NAME.test(l) || l.startsWith('__')) {
      throw new TypeError(`invalid label name "${l}" of metric ${name}`);
    }
  }
}

abstract class SeriesMetric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum' as const;
  abstract readonly type: MetricObject['type'];
  protected readonly series = new Map<string, { labels: Labels; data: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    validate(name, labelNames);
    this.name = name;
    this.help = help;
    this.labelNames = [...labelNames];
  }

  protected abstract make(): S;

  /** The series of these label values (in declared order), made on first use. */
  child(values: readonly string[]): S {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      const labels: Labels = {};
      for (let i = 0; i < this.labelNames.length; i++) labels[this.labelNames[i]!] = String(values[i]);
      s = { labels, data: this.make() };
      this.series.set(key, s);
    }
    return s.data;
  }

  reset(): void {
    this.series.clear();
  }
}

export class CounterMetric extends SeriesMetric<ValueSeries> {
  readonly type = 'counter' as const;
  protected make(): ValueSeries {
    return { value: 0 };
  }
  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    for (const { labels, data } of this.series.values()) values.push({ value: data.value, labels });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class GaugeMetric extends SeriesMetric<ValueSeries> {
  readonly type = 'gauge' as const;
  protected make(): ValueSeries {
    return { value: 0 };
  }
  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    for (const { labels, data } of this.series.values()) values.push({ value: data.value, labels });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** prom-client's default buckets, seconds. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HistogramMetric extends SeriesMetric<HistogramSeries> {
  readonly type = 'histogram' as const;
  readonly upperBounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets?: readonly number[]) {
    if (labelNames.includes('le'))
      throw new TypeError(`metric ${name}: "le" is reserved for histogram buckets`);
    super(name, help, labelNames);
    const bounds = [...new Set(buckets ?? DEFAULT_BUCKETS)]
      .filter((b) => Number.isFinite(b))
      .sort((a, b) => a - b);
    this.upperBounds = bounds;
  }

  protected make(): HistogramSeries {
    return { counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
  }

  observe(s: HistogramSeries, value: number): void {
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, data } of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += data.counts[i]!;
        values.push({
          metricName: bucket,
          labels: { le: String(this.upperBounds[i]), ...labels },
          value: cumulative,
        });
      }
      values.push({ metricName: bucket, labels: { le: '+Inf', ...labels }, value: data.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: data.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: data.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
