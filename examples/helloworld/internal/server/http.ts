import { asyncContext, type Logger } from '@kratos/core';
import { createHttpServer, type HttpServer, mountApiDocs } from '@kratos/http';
import { mountClusterMetrics, type PrometheusMetrics } from '@kratos/metrics-prometheus';
import { recovery, serverLogging, serverMetrics } from '@kratos/middleware';
import { serverTracing } from '@kratos/middleware-tracing';
import { registerGreeterHttpServer } from '../../api/helloworld/v1/greeter_http.js';
import type { Server_HTTP } from '../conf/conf_pb.js';
import type { GreeterService } from '../service/greeter.ts';
import { durationMs } from './duration.ts';

/** Builds the HTTP server: recovery, tracing, metrics and access logs, the generated routes and /metrics. */
export function newHttpServer(
  conf: Server_HTTP | undefined,
  greeter: GreeterService,
  logger: Logger,
  metrics: PrometheusMetrics,
): HttpServer {
  const server = createHttpServer({
    address: conf?.addr || '0.0.0.0:8000',
    timeout: durationMs(conf?.timeout, 1000),
    // asyncContext lets log valuers read the trace id; tracing before metrics and logging so
    // both see the span. An exporter is configured through the OpenTelemetry SDK, if at all.
    middleware: [
      recovery({ logger }),
      asyncContext(),
      serverTracing(),
      serverMetrics({ metrics }),
      serverLogging({ logger }),
    ],
    logger,
  });
  registerGreeterHttpServer(server, greeter);
  // The API docs page: /q/openapi.yaml and a swagger-ui page at /q/docs.
  mountApiDocs(server, { openapi: new URL('../../api/openapi.yaml', import.meta.url), title: 'Greeter API' });
  // Under runCluster: the sum over every worker (one process: this one's, as mountMetrics).
  mountClusterMetrics(server, metrics);
  return server;
}
