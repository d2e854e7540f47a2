export {
  aggregateClusterMetrics,
  type ClusterMetricsOptions,
  clusterMetricsHandler,
  mountClusterMetrics,
} from './cluster-metrics.ts';
export {
  createPrometheusMetrics,
  type MetricsMountTarget,
  type MetricsReply,
  metricsHandler,
  mountMetrics,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
} from './prometheus-metrics.ts';
