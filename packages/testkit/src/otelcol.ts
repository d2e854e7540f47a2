import { readFile } from 'node:fs/promises';
import { type StartedServer, type StartServerOptions, startServer } from './servers.ts';

/** An OTLP attribute value as a plain JS value (int64 as number, key/value lists as objects). */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [k: string]: AttributeValue };

/** One log record the collector wrote (OTLP or fluent forward). */
export interface CollectedLog {
  resource: Record<string, AttributeValue>;
  timeUnixNano: string;
  severityText: string;
  body: AttributeValue;
  /** For fluent forward events: every record field but `message`/`log`, plus `fluent.tag`. */
  attributes: Record<string, AttributeValue>;
}

/** One span the collector wrote. Ids are lowercase hex; `parentSpanId` is `''` for a root span. */
export interface CollectedSpan {
  resource: Record<string, AttributeValue>;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  status: { code?: number; message?: string };
}

/** One data point of a metric the collector wrote. */
export interface CollectedPoint {
  attributes: Record<string, AttributeValue>;
  /** Sum and gauge points. */
  value?: number;
  /** Histogram points. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

/** One metric of one export, as the collector wrote it. */
export interface CollectedMetric {
  resource: Record<string, AttributeValue>;
  scope: string;
  name: string;
  unit: string;
  description: string;
  type: 'sum' | 'gauge' | 'histogram' | 'other';
  /** Sums only: monotonic (a counter). */
  monotonic?: boolean;
  points: CollectedPoint[];
}

/** A running OpenTelemetry Collector (`scripts/servers/start-otelcol.sh`) and what reached its file exporters. */
export interface OtelCollector {
  readonly server: StartedServer;
  /** OTLP/gRPC `host:port`. */
  readonly otlpGrpc: string;
  /** OTLP/HTTP base URL (`http://127.0.0.1:P`; traces at `/v1/traces`). */
  readonly otlpHttp: string;
  /** The fluent forward receiver as `tcp://127.0.0.1:P`. */
  readonly fluent: string;
  logs(): Promise<CollectedLog[]>;
  spans(): Promise<CollectedSpan[]>;
  metrics(): Promise<CollectedMetric[]>;
  /** Stops and starts it again: same ports, same data dir, the files kept. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** An OTLP JSON AnyValue as a plain value. */
export function fromAnyValue(v: unknown): AttributeValue {
  const a = (v ?? {}) as Json;
  if ('stringValue' in a) return String(a.stringValue);
  if ('intValue' in a) return Number(a.intValue);
  if ('doubleValue' in a) return Number(a.doubleValue);
  if ('boolValue' in a) return Boolean(a.boolValue);
  if ('arrayValue' in a) return list((a.arrayValue as Json)?.values).map(fromAnyValue);
  if ('kvlistValue' in a) return fromAttributes((a.kvlistValue as Json)?.values);
  if ('bytesValue' in a) return String(a.bytesValue);
  return null;
}

/** An OTLP JSON attribute list as an object. */
export function fromAttributes(attrs: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list(attrs)) out[String(kv.key)] = fromAnyValue(kv.value);
  return out;
}

async function jsonLines(path: string): Promise<Json[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Json[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as Json);
    } catch {
      // the last line may be half written while the exporter flushes; it is read whole next time
    }
  }
  return out;
}

function points(data: Json | undefined): CollectedPoint[] {
  return list(data?.dataPoints).map((p) => {
    const point: CollectedPoint = { attributes: fromAttributes(p.attributes) };
    if ('asInt' in p) point.value = Number(p.asInt);
    if ('asDouble' in p) point.value = Number(p.asDouble);
    if ('count' in p) point.count = Number(p.count);
    if ('sum' in p) point.sum = Number(p.sum);
    if ('bucketCounts' in p) point.bucketCounts = list(p.bucketCounts).map(Number);
    if ('explicitBounds' in p) point.explicitBounds = list(p.explicitBounds).map(Number);
    return point;
  });
}

/** Reads the collector's JSON-lines files into flat records. */
export function readCollected(files: { logs: string; spans: string; metrics: string }) {
  return {
    async logs(): Promise<CollectedLog[]> {
      const out: CollectedLog[] = [];
      for (const req of await jsonLines(files.logs))
        for (const rl of list(req.resourceLogs)) {
          const resource = fromAttributes((rl.resource as Json)?.attributes);
          for (const sl of list(rl.scopeLogs))
            for (const r of list(sl.logRecords))
              out.push({
                resource,
                timeUnixNano: String(r.timeUnixNano ?? ''),
                severityText: String(r.severityText ?? ''),
                body: fromAnyValue(r.body),
                attributes: fromAttributes(r.attributes),
              });
        }
      return out;
    },
    async spans(): Promise<CollectedSpan[]> {
      const out: CollectedSpan[] = [];
      for (const req of await jsonLines(files.spans))
        for (const rs of list(req.resourceSpans)) {
          const resource = fromAttributes((rs.resource as Json)?.attributes);
          for (const ss of list(rs.scopeSpans))
            for (const s of list(ss.spans))
              out.push({
                resource,
                scope: String((ss.scope as Json)?.name ?? ''),
                traceId: String(s.traceId ?? ''),
                spanId: String(s.spanId ?? ''),
                parentSpanId: String(s.parentSpanId ?? ''),
                name: String(s.name ?? ''),
                kind: Number(s.kind ?? 0),
                attributes: fromAttributes(s.attributes),
                status: (s.status ?? {}) as CollectedSpan['status'],
              });
        }
      return out;
    },
    async metrics(): Promise<CollectedMetric[]> {
      const out: CollectedMetric[] = [];
      for (const req of await jsonLines(files.metrics))
        for (const rm of list(req.resourceMetrics)) {
          const resource = fromAttributes((rm.resource as Json)?.attributes);
          for (const sm of list(rm.scopeMetrics))
            for (const m of list(sm.metrics)) {
              const base = {
                resource,
                scope: String((sm.scope as Json)?.name ?? ''),
                name: String(m.name ?? ''),
                unit: String(m.unit ?? ''),
                description: String(m.description ?? ''),
              };
              if (m.sum) {
                const sum = m.sum as Json;
                out.push({ ...base, type: 'sum', monotonic: sum.isMonotonic === true, points: points(sum) });
              } else if (m.gauge) out.push({ ...base, type: 'gauge', points: points(m.gauge as Json) });
              else if (m.histogram)
                out.push({ ...base, type: 'histogram', points: points(m.histogram as Json) });
              else out.push({ ...base, type: 'other', points: [] });
            }
        }
      return out;
    },
  };
}

/**
 * Starts the repository's OpenTelemetry Collector (`scripts/servers/start.sh otelcol`: otlp and
 * fluentforward receivers, file exporters) and reads what reached it.
 */
export async function startOtelCollector(options: StartServerOptions = {}): Promise<OtelCollector> {
  const server = await startServer('otelcol', options);
  const ep = () => server.endpoints;
  const read = () =>
    readCollected({
      logs: String(ep().logs),
      spans: String(ep().traces),
      metrics: String(ep().metrics),
    });
  return {
    server,
    get otlpGrpc() {
      return String(ep().grpc);
    },
    get otlpHttp() {
      return String(ep().http);
    },
    get fluent() {
      return `tcp://${String(ep().fluent)}`;
    },
    logs: () => read().logs(),
    spans: () => read().spans(),
    metrics: () => read().metrics(),
    async restart() {
      await server.restart();
    },
    stop: () => server.stop(),
  };
}
