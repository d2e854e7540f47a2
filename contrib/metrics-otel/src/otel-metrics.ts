import type { Counter, Gauge, Metrics, Observer } from '@kratos/core';
import type { MetricOptions } from '@kratos/core/adapter';
import type {
  Attributes,
  Meter,
  MeterProvider,
  Counter as OtelCounter,
  Gauge as OtelGauge,
  Histogram as OtelHistogram,
} from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  MeterProvider as SdkMeterProvider,
} from '@opentelemetry/sdk-metrics';

/** Options of {@link createOtelMetrics}. */
export interface OtelMetricsOptions {
  /**
   * A meter provider of your own (the global one, one with your views and readers): used as it is,
   * and `exporter`, `url`, `exportInterval`, `serviceName`, `resourceAttributes` are ignored.
   * Default: an SDK `MeterProvider` made here with a periodic OTLP exporter.
   */
  meterProvider?: MeterProvider;
  /** The meter's (instrumentation scope's) name. Default `'kratos'`. */
  meterName?: string;
  /** Where a provider made here exports. Default an OTLP/HTTP (protobuf) exporter to `url`. */
  exporter?: PushMetricExporter;
  /**
   * OTLP/HTTP metrics endpoint of the default exporter, e.g. `http://collector:4318/v1/metrics`.
   * Default the exporter's: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/metrics`, else `http://localhost:4318/v1/metrics`.
   */
  url?: string;
  /** Export period of a provider made here, ms. Default 60 000 (the SDK's). */
  exportInterval?: number;
  /** `service.name` of a provider made here. Default the SDK's (`OTEL_SERVICE_NAME`, else `unknown_service:node`). */
  serviceName?: string;
  /** More resource attributes of a provider made here (`service.version`, `deployment.environment`...). */
  resourceAttributes?: Attributes;
  /**
   * Label names whose values are sent as integer attributes when they are integers, as Go Kratos
   * sends `attribute.Int("code", code)`. Default `['code']`.
   */
  integerLabels?: readonly string[];
  /**
   * Units by instrument name. Default: Go Kratos' — `{call}` for `*_requests_code_total`, `s` for
   * `*_requests_seconds` — and `s` for any other name ending in `_seconds`.
   */
  units?: Readonly<Record<string, string>>;
  /**
   * Instrument names to send instead of the declared ones. Go Kratos v2.8-v2.9 named its default
   * histograms `server_requests_seconds_bucket` / `client_requests_seconds_bucket` (v3 dropped the
   * suffix, as kratos-ts does): `{ server_requests_seconds: 'server_requests_seconds_bucket' }`
   * matches a v2 fleet. Default none.
   */
  names?: Readonly<Record<string, string>>;
}

/** Core `Metrics` over an OpenTelemetry meter. */
export interface OtelMetrics extends Metrics {
  readonly meterProvider: MeterProvider;
  readonly meter: Meter;
  /** Exports what was recorded now (a provider made here; with your own, calls its `forceFlush` if it has one). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops exporting (a provider made here; with your own, its `shutdown` if any). */
  shutdown(): Promise<void>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

function defaultUnit(name: string): string | undefined {
  if (name.endsWith('_requests_code_total')) return '{call}';
  if (name.endsWith('_seconds') || name.endsWith('_seconds_bucket')) return 's';
  return undefined;
}

type Kind = 'counter' | 'gauge' | 'histogram';

interface Declared {
  kind: Kind;
  name: string;
  labels: readonly string[];
  instrument: OtelCounter | OtelGauge | OtelHistogram;
  /** Per label position: send as an integer when the value is one. */
  integer: readonly boolean[];
}

/** Label values bound so far; the attributes are built once, when all are bound. */
class Bound {
  readonly #decl: Declared;
  readonly values: readonly string[];
  #attrs: Attributes | undefined;

  constructor(decl: Declared, values: readonly string[]) {
    this.#decl = decl;
    this.values = values;
  }

  extend(more: readonly string[]): readonly string[] {
    const all = [...this.values, ...more];
    const labels = this.#decl.labels;
    if (all.length > labels.length) {
      throw new TypeError(
        `metric ${this.#decl.name} has ${labels.length} labels (${labels.join(', ')}), got ${all.length} values`,
      );
    }
    return all;
  }

  attributes(): Attributes {
    if (this.#attrs !== undefined) return this.#attrs;
    const { labels, integer, name } = this.#decl;
    if (this.values.length !== labels.length) {
      throw new TypeError(
        `metric ${name} needs values for its labels (${labels.join(', ')}): call with(...) first`,
      );
    }
    const attrs: Attributes = {};
    labels.forEach((label, i) => {
      const v = this.values[i] as string;
      attrs[label] = integer[i] && /^-?\d{1,15}$/.test(v) ? Number(v) : v;
    });
    this.#attrs = attrs;
    return attrs;
  }
}

class CounterAdapter implements Counter {
  readonly #decl: Declared;
  readonly #bound: Bound;
  constructor(decl: Declared, values: readonly string[]) {
    this.#decl = decl;
    this.#bound = new Bound(decl, values);
  }
  with(...values: string[]): Counter {
    return new CounterAdapter(this.#decl, this.#bound.extend(values));
  }
  inc(): void {
    (this.#decl.instrument as OtelCounter).add(1, this.#bound.attributes());
  }
  add(delta: number): void {
    if (!(delta >= 0)) throw new RangeError(`counter ${this.#decl.name} cannot add ${delta}`);
    (this.#decl.instrument as OtelCounter).add(delta, this.#bound.attributes());
  }
}

/** A synchronous OTel gauge records absolute values: add/sub move a value kept per label set here. */
class GaugeAdapter implements Gauge {
  readonly #decl: Declared;
  readonly #bound: Bound;
  readonly #values: Map<string, number>;
  constructor(decl: Declared, values: readonly string[], current: Map<string, number>) {
    this.#decl = decl;
    this.#bound = new Bound(decl, values);
    this.#values = current;
  }
  with(...values: string[]): Gauge {
    return new GaugeAdapter(this.#decl, this.#bound.extend(values), this.#values);
  }
  set(value: number): void {
    const attrs = this.#bound.attributes();
    this.#values.set(this.#bound.values.join('\0'), value);
    (this.#decl.instrument as OtelGauge).record(value, attrs);
  }
  add(delta: number): void {
    const attrs = this.#bound.attributes();
    const key = this.#bound.values.join('\0');
    const value = (this.#values.get(key) ?? 0) + delta;
    this.#values.set(key, value);
    (this.#decl.instrument as OtelGauge).record(value, attrs);
  }
  sub(delta: number): void {
    this.add(-delta);
  }
}

class ObserverAdapter implements Observer {
  readonly #decl: Declared;
  readonly #bound: Bound;
  constructor(decl: Declared, values: readonly string[]) {
    this.#decl = decl;
    this.#bound = new Bound(decl, values);
  }
  with(...values: string[]): Observer {
    return new ObserverAdapter(this.#decl, this.#bound.extend(values));
  }
  observe(value: number): void {
    (this.#decl.instrument as OtelHistogram).record(value, this.#bound.attributes());
  }
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * Core `Metrics` over `@opentelemetry/api` metrics: counters, gauges and histograms on one meter,
 * exported over OTLP by the SDK (or by your own meter provider). With `@kratos/middleware`'s
 * `serverMetrics`/`clientMetrics` the instruments are Go Kratos' `server_requests_code_total`
 * (`{call}`; kind, operation, code as an integer, reason) and `server_requests_seconds` (`s`; kind,
 * operation; buckets 5 ms ... 1 s), and the `client_` pair.
 */
export function createOtelMetrics(options: OtelMetricsOptions = {}): OtelMetrics {
  const exportInterval = options.exportInterval ?? 60_000;
  if (!(exportInterval > 0)) throw new RangeError(`exportInterval must be > 0 ms, got ${exportInterval}`);
  let provider: MeterProvider;
  let own: SdkMeterProvider | undefined;
  if (options.meterProvider !== undefined) {
    provider = options.meterProvider;
  } else {
    const exporter = options.exporter ?? new OTLPMetricExporter(options.url ? { url: options.url } : {});
    let resource = defaultResource();
    const attrs: Attributes = { ...options.resourceAttributes };
    if (options.serviceName !== undefined) attrs['service.name'] = options.serviceName;
    if (Object.keys(attrs).length > 0) resource = resource.merge(resourceFromAttributes(attrs));
    own = new SdkMeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: exportInterval })],
    });
    provider = own;
  }
  const meter = provider.getMeter(options.meterName ?? 'kratos');
  const integerLabels = new Set(options.integerLabels ?? ['code']);
  const declared = new Map<string, Declared>();
  const gaugeValues = new Map<string, Map<string, number>>();

  const declare = (kind: Kind, o: MetricOptions): Declared => {
    const name = options.names?.[o.name] ?? o.name;
    if (!NAME.test(name)) throw new TypeError(`invalid metric name "${name}"`);
    const labels = [...(o.labels ?? [])];
    for (const l of labels) {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(l))
        throw new TypeError(`invalid label name "${l}" of metric ${name}`);
    }
    const seen = declared.get(name);
    if (seen !== undefined) {
      if (seen.kind === kind && sameLabels(seen.labels, labels)) return seen;
      throw new TypeError(
        `metric ${name} is already registered as a ${seen.kind} with labels (${seen.labels.join(', ')})`,
      );
    }
    const unit = options.units?.[o.name] ?? options.units?.[name] ?? defaultUnit(name);
    const common = { description: o.help, ...(unit !== undefined ? { unit } : {}) };
    const instrument =
      kind === 'counter'
        ? meter.createCounter(name, common)
        : kind === 'gauge'
          ? meter.createGauge(name, common)
          : meter.createHistogram(name, {
              ...common,
              ...(o.buckets
                ? { advice: { explicitBucketBoundaries: [...o.buckets].sort((a, b) => a - b) } }
                : {}),
            });
    const decl: Declared = {
      kind,
      name,
      labels,
      instrument,
      integer: labels.map((l) => integerLabels.has(l)),
    };
    declared.set(name, decl);
    return decl;
  };

  const call = async (method: 'forceFlush' | 'shutdown') => {
    const p = (own ?? provider) as Partial<Record<typeof method, () => Promise<void>>>;
    if (typeof p[method] === 'function') await p[method]!.call(own ?? provider);
  };

  return {
    meterProvider: provider,
    meter,
    counter: (o) => new CounterAdapter(declare('counter', o), []),
    gauge: (o) => {
      const decl = declare('gauge', o);
      let values = gaugeValues.get(decl.name);
      if (values === undefined) {
        values = new Map();
        gaugeValues.set(decl.name, values);
      }
      return new GaugeAdapter(decl, [], values);
    },
    histogram: (o) => new ObserverAdapter(declare('histogram', o), []),
    forceFlush: () => call('forceFlush'),
    shutdown: () => call('shutdown'),
  };
}
