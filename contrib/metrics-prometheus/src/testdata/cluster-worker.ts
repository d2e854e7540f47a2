// A cluster worker for cluster-metrics.test.ts: counts ADD on jobs_total{kind="a"}, and answers
// the test's `scrape` message with what its cluster /metrics handler serves.
import { clusterMetricsHandler, createPrometheusMetrics } from '../index.ts';

const metrics = createPrometheusMetrics({ defaultMetrics: false });
const handler = clusterMetricsHandler(metrics, { timeout: Number(process.env.TIMEOUT ?? 10_000) });
metrics
  .counter({ name: 'jobs_total', help: 'jobs', labels: ['kind'] })
  .with('a')
  .add(Number(process.env.ADD));
process.on('message', (m: unknown) => {
  if (m !== 'scrape') return;
  const headers: Record<string, string> = {};
  handler(
    {},
    {
      header: (k, v) => {
        headers[k] = v;
      },
    },
  ).then(
    (text) => process.send!({ text, headers }),
    (e: Error) => process.send!({ error: e.message }),
  );
});
process.send!('ready');
