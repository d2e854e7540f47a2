import type { Discovery, Logger, Registrar } from '@kratos/core';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { createZookeeperRegistry } from '@kratos/registry-zookeeper';
import { type StartedServer, startServer } from '@kratos/testkit';

/** A kratos-ts registry adapter: Registrar + Discovery + close. */
export type TsRegistry = Registrar & Discovery & { close(): Promise<void> };

/** A registry backend both languages share. */
export interface Backend {
  name: 'etcd' | 'zookeeper';
  /** Starts the real server (scripts/servers) and resolves its registry URL, e.g. `etcd://127.0.0.1:2379`. */
  start(): Promise<{ server: StartedServer; url: string }>;
  /**
   * How long a dead instance lingers: the etcd lease TTL / ZooKeeper session timeout both sides
   * are given in the removal tests (ZooKeeper's minimum is 2 ticks = 4 s with tickTime 2000).
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

export const zookeeperBackend: Backend = {
  name: 'zookeeper',
  async start() {
    const server = await startServer('zookeeper');
    return { server, url: `zookeeper://${server.endpoints.client as string}` };
  },
  expirySeconds: 4,
};

/** The kratos-ts adapter for a registry URL; `expirySeconds` sets the lease TTL / session timeout. */
export function openTsRegistry(url: string, o: { logger: Logger; expirySeconds?: number }): TsRegistry {
  const u = new URL(url);
  if (u.protocol === 'etcd:') {
    return createEtcdRegistry({
      connection: { hosts: `http://${u.host}` },
      logger: o.logger,
      ...(o.expirySeconds ? { ttl: o.expirySeconds } : {}),
    });
  }
  if (u.protocol === 'zookeeper:') {
    return createZookeeperRegistry({
      connection: { servers: u.host, ...(o.expirySeconds ? { sessionTimeout: o.expirySeconds * 1000 } : {}) },
      logger: o.logger,
    });
  }
  throw new Error(`unknown registry ${url}`);
}
