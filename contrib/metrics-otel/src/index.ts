export { createOtelMetrics, type OtelMetrics, type OtelMetricsOptions } from './otel-metrics.ts';
