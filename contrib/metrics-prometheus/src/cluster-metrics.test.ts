import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregateClusterMetrics, clusterMetricsHandler, createPrometheusMetrics } from './index.ts';

const exec = fileURLToPath(new URL('./testdata/cluster-worker.ts', import.meta.url));
const started: Worker[] = [];
let stopAnswering: (() => void) | undefined;

afterEach(async () => {
  stopAnswering?.();
  stopAnswering = undefined;
  for (const w of started.splice(0)) {
    if (w.process.exitCode === null && w.process.signalCode === null) {
      const gone = once(w, 'exit');
      w.process.kill('SIGKILL');
      await gone;
    }
  }
});

async function fork(env: Record<string, string>): Promise<Worker> {
  cluster.setupPrimary({ exec, execArgv: ['--conditions=kratos-source'] });
  const w = cluster.fork(env);
  started.push(w);
  // A worker that dies before it is ready fails the test at once.
  const m = await Promise.race([
    once(w, 'message').then(([msg]) => msg as unknown),
    once(w, 'exit').then(([code]) => {
      throw new Error(`worker exited with ${code} before it was ready`);
    }),
  ]);
  expect(m).toBe('ready');
  return w;
}

async function scrape(
  w: Worker,
): Promise<{ text?: string; headers?: Record<string, string>; error?: string }> {
  w.send('scrape');
  // The worker's own requests to the primary come by too: wait for the answer to the test.
  for (;;) {
    const [m] = (await once(w, 'message')) as [{ text?: string; error?: string }];
    if (typeof m === 'object' && m !== null && ('text' in m || 'error' in m)) return m;
  }
}

describe('one /metrics for a cluster', () => {
  it('a scrape in one worker serves the sum over every worker', async () => {
    stopAnswering = aggregateClusterMetrics();
    const a = await fork({ ADD: '2' });
    await fork({ ADD: '5' });
    const reply = await scrape(a);
    expect(reply.error).toBeUndefined();
    expect(reply.text).toContain('jobs_total{kind="a"} 7');
    expect(reply.headers?.['content-type']).toContain('text/plain');
  });

  it('a primary that does not aggregate gets a scrape that fails with a clear error, not a hang', async () => {
    const a = await fork({ ADD: '1', TIMEOUT: '300' });
    const reply = await scrape(a);
    expect(reply.error).toMatch(
      /the cluster primary did not answer the scrape within 300 ms: call aggregateClusterMetrics\(\) there/,
    );
  });

  it('outside a cluster worker the handler serves this process alone', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    metrics
      .counter({ name: 'jobs_total', help: 'jobs', labels: ['kind'] })
      .with('b')
      .add(3);
    const headers: Record<string, string> = {};
    const text = await clusterMetricsHandler(metrics)({}, { header: (k, v) => (headers[k] = v) });
    expect(text).toContain('jobs_total{kind="b"} 3');
    expect(headers['content-type']).toContain('text/plain');
  });
});
