// The "everything on" server chain of the kratos-full contenders, in the order of the Go Kratos
// layout: recovery, tracing (an OpenTelemetry SDK provider that records spans and exports none),
// metrics (Prometheus registry with process metrics, not scraped) and access logging (pino to a
// file, asynchronous writes).
import type { Middleware } from '@kratos/core';

export async function fullChain(_kind: 'http' | 'grpc', logFile: string): Promise<Middleware[]> {
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
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  const logger = createPinoLogger({ destination: logFile });
  return [
    recovery({ logger }),
    serverTracing({ tracerProvider: new BasicTracerProvider() }),
    serverMetrics({ metrics: createPrometheusMetrics() }),
    serverLogging({ logger }),
  ];
}
