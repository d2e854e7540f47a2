// One /metrics for a service that runs on several cores (Node's cluster, e.g. @kratos/cluster):
// the worker that gets the scrape asks the primary, the primary gathers every worker's registry
// with prom-client's AggregatorRegistry and answers with the sum.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import {
  type MetricsMountTarget,
  type MetricsReply,
  metricsHandler,
  type PrometheusMetrics,
} from './prometheus-metrics.ts';

const SCRAPE = 'kratos:metrics:scrape';
const SCRAPED = 'kratos:metrics:scraped';

interface ScrapeRequest {
  type: typeof SCRAPE;
  id: number;
}
interface ScrapeReply {
  type: typeof SCRAPED;
  id: number;
  text?: string;
  contentType?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(m: unknown, type: T['type']): m is T =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

/**
 * Call in the cluster primary (`runCluster`'s `primary` option): answers the workers' scrapes
 * with the metrics of every live worker, counters and histograms summed (process metrics too;
 * `nodejs_version_info` and the like taken once), as prom-client's `AggregatorRegistry` does.
 * Returns a function that stops answering.
 */
export function aggregateClusterMetrics(): () => void {
  if (!cluster.isPrimary) throw new Error('aggregateClusterMetrics() runs in the cluster primary');
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: Worker, m: unknown) => {
    if (!isMessage<ScrapeRequest>(m, SCRAPE)) return;
    const answer = (reply: Omit<ScrapeReply, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: SCRAPED, id: m.id, ...reply } satisfies ScrapeReply);
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text, contentType: aggregator.contentType }),
      (e: unknown) => answer({ error: (e as Error)?.message ?? String(e) }),
    );
  };
  cluster.on('message', onMessage);
  return () => {
    cluster.off('message', onMessage);
  };
}

/** Options of {@link clusterMetricsHandler}. */
export interface ClusterMetricsOptions {
  /** How long a scrape waits for the primary's answer, ms. Default 10 000. */
  timeout?: number;
}

// One listener per worker process for the primary's answers.
const pending = new Map<number, (reply: ScrapeReply) => void>();
let nextId = 0;
let listening = false;

function askPrimary(timeoutMs: number): Promise<{ text: string; contentType: string }> {
  if (!listening) {
    listening = true;
    process.on('message', (m: unknown) => {
      if (isMessage<ScrapeReply>(m, SCRAPED)) pending.get(m.id)?.(m);
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(
        new Error(
          `the cluster primary did not answer the scrape within ${timeoutMs} ms: call aggregateClusterMetrics() there`,
        ),
      );
    }, timeoutMs);
    pending.set(id, (reply) => {
      clearTimeout(timer);
      pending.delete(id);
      if (reply.error !== undefined || reply.text === undefined)
        reject(new Error(`cluster metrics: ${reply.error ?? 'no answer'}`));
      else resolve({ text: reply.text, contentType: reply.contentType ?? Registry.PROMETHEUS_CONTENT_TYPE });
    });
    process.send?.({ type: SCRAPE, id } satisfies ScrapeRequest);
  });
}

/**
 * A `/metrics` route handler that serves the sum over every worker of the cluster: in a cluster
 * worker, `source`'s registry is the one the primary gathers, and a scrape asks the primary
 * (see {@link aggregateClusterMetrics}). Outside a cluster worker it serves `source` alone, like
 * `metricsHandler`.
 */
export function clusterMetricsHandler(
  source: Registry | PrometheusMetrics,
  options: ClusterMetricsOptions = {},
): (request: unknown, reply: MetricsReply) => Promise<string> {
  if (!cluster.isWorker || typeof process.send !== 'function') return metricsHandler(source);
  const registry = source instanceof Registry ? source : source.registry;
  AggregatorRegistry.setRegistries([registry]);
  // Its constructor makes this worker answer the primary's gathering requests.
  new AggregatorRegistry();
  const timeout = options.timeout ?? 10_000;
  return async (_request, reply) => {
    const { text, contentType } = await askPrimary(timeout);
    reply.header('content-type', contentType);
    return text;
  };
}

/** {@link clusterMetricsHandler} at `path` (default `/metrics`): `mountClusterMetrics(httpServer, metrics)`. */
export function mountClusterMetrics<H>(
  server: MetricsMountTarget<H>,
  source: Registry | PrometheusMetrics,
  path = '/metrics',
  options: ClusterMetricsOptions = {},
): void {
  server.get(path, clusterMetricsHandler(source, options) as unknown as H);
}
