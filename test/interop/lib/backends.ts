import type { Discovery, Logger, Registrar } from '@kratos/core';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { type StartedServer, startServer } from '@kratos/testkit';

/** A kratos-ts registry adapter: Registrar + Discovery + close. */
export type TsRegistry = Registrar & Discovery & { close(): Promise<void> };

/** A registry backend both languages share. */
export interface Backend {
  name: 'etcd';
  /** Starts the real server (scripts/servers) and resolves its registry URL, e.g. `etcd://127.0.0.1:2379`. */
  start(): Promise<{ server: StartedServer; url: string }>;
  /**
   * How long a dead instance lingers: the registration TTL (etcd lease) both sides are given in
   * the removal tests.
   */
  expirySeconds: number;
}

export const etcdBackend: Backend = {
  name: 'etcd',
  async start() {
    const server = await startServer('etcd');
    return { server, url: `etcd://${new URL(server.endpoints.client as string).host}` };
  },
  expirySeconds: 3,
};

/** The kratos-ts adapter for a registry URL; `expirySeconds` sets the lease TTL. */
export function openTsRegistry(url: string, o: { logger: Logger; expirySeconds?: number }): TsRegistry {
  const u = new URL(url);
  if (u.protocol === 'etcd:') {
    return createEtcdRegistry({
      connection: { hosts: `http://${u.host}` },
      logger: o.logger,
      ...(o.expirySeconds ? { ttl: o.expirySeconds } : {}),
    });
  }
  throw new Error(`unknown registry ${url}`);
}
