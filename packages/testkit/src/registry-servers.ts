import { rm } from 'node:fs/promises';
import { type StartedServer, type StartServerOptions, startServer } from './servers.ts';

/** A running registry server started from `scripts/servers/` (Eureka, ServiceComb service-center). */
export interface RegistryServer {
  readonly server: StartedServer;
  /** Base URL, `http://127.0.0.1:P` (what the registries take as an endpoint). */
  readonly url: string;
  /** Stops and starts it again: same port, same data dir. */
  restart(): Promise<void>;
  /** Stops it; a data dir the script chose (no `dataDir` option) is deleted (etcd's WAL alone is 62 MB). */
  stop(): Promise<void>;
}

function wrap(server: StartedServer, options: StartServerOptions): RegistryServer {
  return {
    server,
    get url() {
      return String(server.endpoints.http);
    },
    async restart() {
      await server.restart();
    },
    async stop() {
      await server.stop();
      if (!options.dataDir && server.dataDir) await rm(server.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a standalone Netflix Eureka server (`scripts/servers/start.sh eureka`: Spring Cloud Netflix,
 * REST API under `<url>/eureka`, no response cache, registry in memory, so a restart comes back empty).
 */
export async function startEureka(options: StartServerOptions = {}): Promise<RegistryServer> {
  return wrap(await startServer('eureka', options), options);
}

/**
 * Starts Apache ServiceComb service-center (`scripts/servers/start.sh servicecomb`: embedded etcd in
 * the data dir, so a restart keeps microservices and unexpired instances; send `X-Domain-Name`).
 */
export async function startServiceCenter(options: StartServerOptions = {}): Promise<RegistryServer> {
  return wrap(await startServer('servicecomb', options), options);
}
