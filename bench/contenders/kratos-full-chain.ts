// The "everything on" server chain of the kratos-full contenders, in the order of the Go Kratos
// layout: recovery, tracing (an OpenTelemetry SDK provider that records spans and exports none),
// metrics (Prometheus registry with process metrics, not scraped) and access logging (pino to a
// file, asynchronous writes). Exits with SKIP_EXIT when one of those packages is missing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Middleware } from '@kratos/core';

export const SKIP_EXIT = 78;
const root = fileURLToPath(new URL('../../', import.meta.url));
const NEEDED = [
  ['@kratos/middleware-tracing', 'packages/middleware-tracing/src/index.ts'],
  ['logging middleware', 'packages/middleware/src/logging/logging.ts'],
  ['metrics middleware', 'packages/middleware/src/metrics/metrics.ts'],
  ['@kratos/metrics-prometheus', 'contrib/metrics-prometheus/src/index.ts'],
  ['@kratos/log-pino', 'contrib/log-pino/src/index.ts'],
] as const;

export async function fullChain(_kind: 'http' | 'grpc', logFile: string): Promise<Middleware[]> {
  const missing = NEEDED.filter(([, path]) => !existsSync(root + path)).map(([name]) => name);
  if (missing.length > 0) {
    console.error(`SKIP: not in the tree yet: ${missing.join(', ')}`);
    process.exit(SKIP_EXIT);
  }
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
