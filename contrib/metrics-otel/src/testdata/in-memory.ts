import { AggregationTemporality, InMemoryMetricExporter, type MetricData } from '@opentelemetry/sdk-metrics';
import { createOtelMetrics } from '../index.ts';

/** The SDK's own in-memory exporter behind a provider made by createOtelMetrics. */
export function inMemory(options: Parameters<typeof createOtelMetrics>[0] = {}) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const metrics = createOtelMetrics({ exporter, ...options });
  const collect = async (): Promise<Map<string, MetricData>> => {
    await metrics.forceFlush();
    const out = new Map<string, MetricData>();
    for (const rm of exporter.getMetrics())
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
    return out;
  };
  return { metrics, exporter, collect };
}
