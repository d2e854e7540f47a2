import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterWorker, runCluster } from '@kratos/cluster';
import { createConfig, createFileSource } from '@kratos/config';
import { caller, createLogHelper, createStdLogger, timestamp, withFields } from '@kratos/core';
import { aggregateClusterMetrics } from '@kratos/metrics-prometheus';
import { spanIdValuer, traceIdValuer } from '@kratos/middleware-tracing';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { BootstrapSchema } from '../../internal/conf/conf_pb.js';
import { newRegistry } from './registry.ts';
import { newRemoteSource, type RemoteSource } from './remote-config.ts';
import { wireApp } from './wire.ts';

/** Set at build time in Go; here from the environment or package.json's defaults. */
const Name = process.env.KRATOS_APP_NAME ?? 'helloworld';
const Version = process.env.KRATOS_APP_VERSION ?? 'v1.0.0';

// Go's flag package spells long flags with one dash (`-conf`); accept both.
const args = process.argv
  .slice(2)
  .map((a) => a.replace(/^-(conf|version|registry|remote-config)(=|$)/, '--$1$2'));
const { values } = parseArgs({
  args,
  options: {
    // The service's own configs/, found from this file, so it starts from any working directory.
    conf: { type: 'string', short: 'c', default: resolve(import.meta.dirname, '../../configs') },
    version: { type: 'boolean', short: 'v', default: false },
    // Where to register: `memory` (embedded default) or `etcd://host:port[,host:port]`.
    registry: { type: 'string', default: process.env.KRATOS_REGISTRY ?? 'memory' },
    // A remote config source read after the files, so its keys win: `etcd://host:port/<key>`.
    'remote-config': { type: 'string', default: process.env.KRATOS_REMOTE_CONFIG },
  },
});
if (values.version) {
  console.log(`${Name} ${Version}`);
  process.exit(0);
}

// Spans get real ids (for the trace.id/span.id log fields and traceparent propagation) but are not
// exported: add a span processor with an exporter (OTLP, Jaeger, ...) here to ship them.
trace.setGlobalTracerProvider(new BasicTracerProvider());

// Under KRATOS_WORKERS=N (`kratos run --workers N`) every worker shares the cluster's id.
const id = clusterWorker()?.id ?? `${hostname()}-${process.pid}`;
const logger = withFields(
  createStdLogger(process.stdout),
  'ts',
  timestamp(),
  'caller',
  caller(),
  'service.id',
  id,
  'service.name',
  Name,
  'service.version',
  Version,
  'trace.id',
  traceIdValuer(),
  'span.id',
  spanIdValuer(),
);
const log = createLogHelper(logger);

// One process by default; KRATOS_WORKERS=N runs main on N cores, with one /metrics for all.
await runCluster({
  primary: () => aggregateClusterMetrics(),
  async main() {
    const remoteUrl = values['remote-config'] as string | undefined;
    let remote: RemoteSource | undefined;
    try {
      remote = remoteUrl ? newRemoteSource(remoteUrl, logger) : undefined;
      const config = createConfig({
        sources: remote
          ? [createFileSource(resolve(values.conf)), remote]
          : [createFileSource(resolve(values.conf))],
        logger,
      });
      await config.load();
      const bc = await config.scan(BootstrapSchema);
      const greeting = () => config.value('data.greeting').string('Hello');
      const registry = newRegistry(values.registry as string, logger);
      const { app, cleanup } = wireApp({
        identity: { id, name: Name, version: Version },
        server: bc.server,
        data: bc.data,
        greeting,
        logger,
        registrar: registry,
      });
      try {
        await app.run();
      } finally {
        await cleanup();
        await config.close();
        await registry.close?.();
      }
    } catch (error) {
      log.error((error as Error).message ?? String(error));
      process.exitCode = 1;
    } finally {
      // An open etcd connection would keep the process alive after a failed start.
      await remote?.close();
    }
  },
}).catch((error: Error) => {
  // The primary: a worker that could not start, or did not stop cleanly (each logged above).
  log.error(error.message);
  process.exitCode = 1;
});
