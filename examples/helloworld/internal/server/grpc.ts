import { asyncContext, type Logger, type Metrics } from '@kratos/core';
import { createGrpcServer, type GrpcServer } from '@kratos/grpc';
import { recovery, serverLogging, serverMetrics } from '@kratos/middleware';
import { serverTracing } from '@kratos/middleware-tracing';
import { registerGreeterGrpcServer } from '../../api/helloworld/v1/greeter_grpc.js';
import type { Server_GRPC } from '../conf/conf_pb.js';
import type { GreeterService } from '../service/greeter.ts';
import { durationMs } from './duration.ts';

/** Builds the gRPC server (health and reflection on): recovery, tracing, metrics, access logs. */
export function newGrpcServer(
  conf: Server_GRPC | undefined,
  greeter: GreeterService,
  logger: Logger,
  metrics: Metrics,
): GrpcServer {
  const server = createGrpcServer({
    address: conf?.addr || '0.0.0.0:9000',
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
  registerGreeterGrpcServer(server, greeter);
  return server;
}
