// The "everything on" server chain of the kratos-full contenders, in the order of the Go Kratos
// layout: recovery, tracing (an OpenTelemetry SDK provider that records spans and exports none),
// metrics (Prometheus registry with process metrics, not scraped) and access logging (pino to a
// file, asynchronous writes).
import type { Middleware } from '@kratos/core';

// `sampled`: the same chain with every failure and 1 % of successes logged, and traces sampled at
// 1 % (ParentBased(TraceIdRatioBased(0.01)): the other calls get non-recording spans).
export async function fullChain(
  _kind: 'http' | 'grpc',
  logFile: string,
  sampled = false,
): Promise<Middleware[]> {
  const [
    { recovery, serverLogging, serverMetrics },
    { serverTracing },
    { createPrometheusMetrics },
    { createPinoLogger },
  ] = await Promise.all([
    import('@kratos/middleware'),
    import('@kratos/middleware-tracing'),
    import('@kratos/metrics-prometheus'),
    import('@kratos/log-pino'),
  ]);
  const { BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } = await import(
    '@opentelemetry/sdk-trace-base'
  );
  const logger = createPinoLogger({ destination: logFile });
  const sampler = sampled ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.01) }) : undefined;
  return [
    recovery({ logger }),
    serverTracing({ tracerProvider: new BasicTracerProvider(sampler ? { sampler } : {}) }),
    serverMetrics({ metrics: createPrometheusMetrics() }),
    serverLogging({ logger, sample: sampled ? 0.01 : 1 }),
  ];
}
