import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { clusterWorker, runCluster } from '@kratos/cluster';
import { createConfig, createFileSource } from '@kratos/config';
import { caller, createLogHelper, createStdLogger, timestamp, withFields } from '@kratos/core';
import { BootstrapSchema } from '../../internal/conf/conf_pb.js';
import { wireApp } from './wire.ts';

/** Set at build time in Go; here from the environment or package.json's defaults. */
const Name = process.env.KRATOS_APP_NAME ?? 'helloworld';
const Version = process.env.KRATOS_APP_VERSION ?? 'v1.0.0';

// Go's flag package spells long flags with one dash (`-conf`); accept both.
const args = process.argv.slice(2).map((a) => a.replace(/^-(conf|version)(=|$)/, '--$1$2'));
const { values } = parseArgs({
  args,
  options: {
    // The service's own configs/, found from this file, so it starts from any working directory.
    conf: { type: 'string', short: 'c', default: resolve(import.meta.dirname, '../../configs') },
    version: { type: 'boolean', short: 'v', default: false },
  },
});
if (values.version) {
  console.log(`${Name} ${Version}`);
  process.exit(0);
}

// Under `kratos run --workers N` (KRATOS_WORKERS=N) every worker shares the cluster's id.
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
);
const log = createLogHelper(logger);

// One process by default; KRATOS_WORKERS=N (`kratos run --workers N`) runs main on N cores.
await runCluster({
  async main() {
    try {
      const config = createConfig({ sources: [createFileSource(resolve(values.conf))], logger });
      await config.load();
      const bc = await config.scan(BootstrapSchema);
      const greeting = () => config.value('data.greeting').string('Hello');
      const { app, cleanup } = wireApp({
        identity: { id, name: Name, version: Version },
        server: bc.server,
        data: bc.data,
        greeting,
        logger,
      });
      try {
        await app.run();
      } finally {
        await cleanup();
        await config.close();
      }
    } catch (error) {
      log.error((error as Error).message ?? String(error));
      process.exitCode = 1;
    }
  },
}).catch((error: Error) => {
  // The primary: a worker that could not start, or did not stop cleanly (each logged above).
  log.error(error.message);
  process.exitCode = 1;
});
