import { createClusterApp } from '@kratos/cluster';
import { type App, createMemoryRegistry, type Logger, type Registrar } from '@kratos/core';
import { createPrometheusMetrics } from '@kratos/metrics-prometheus';
import { createGreeterUsecase } from '../../internal/biz/greeter.ts';
import type { Data, Server } from '../../internal/conf/conf_pb.js';
import { createData } from '../../internal/data/data.ts';
import { createGreeterRepo } from '../../internal/data/greeter.ts';
import { newGrpcServer } from '../../internal/server/grpc.ts';
import { newHttpServer } from '../../internal/server/http.ts';
import { createGreeterService } from '../../internal/service/greeter.ts';

/** Who this service is. */
export interface AppIdentity {
  id?: string;
  name: string;
  version: string;
}

/** What the app needs from outside: config sections, a live greeting, logger, registrar. */
export interface WireOptions {
  identity: AppIdentity;
  server: Server | undefined;
  data: Data | undefined;
  greeting: () => string;
  logger: Logger;
  registrar?: Registrar;
}

/**
 * Builds the app from plain constructor functions, in dependency order: data -> biz -> service
 * -> servers -> app. This is what `wire` generates in Go Kratos' layout.
 */
export function wireApp(o: WireOptions): { app: App; cleanup: () => Promise<void> } {
  const data = createData(o.data, o.logger);
  const repo = createGreeterRepo(data);
  const usecase = createGreeterUsecase(repo, o.logger);
  const greeter = createGreeterService(usecase, o.greeting);
  // One registry for both servers: server_requests_* with kind=http and kind=grpc, served at /metrics.
  const metrics = createPrometheusMetrics();
  const http = newHttpServer(o.server?.http, greeter, o.logger, metrics);
  const grpc = newGrpcServer(o.server?.grpc, greeter, o.logger, metrics);
  // createApp, plus: under runCluster only worker 0 registers, the primary stops every worker.
  const app = createClusterApp({
    ...o.identity,
    logger: o.logger,
    servers: [http, grpc],
    registrar: o.registrar ?? createMemoryRegistry(),
  });
  return { app, cleanup: () => data.close() };
}
