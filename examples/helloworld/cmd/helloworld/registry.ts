import { createMemoryRegistry, type Discovery, type Logger, type Registrar } from '@kratos/core';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { createZookeeperRegistry } from '@kratos/registry-zookeeper';

/**
 * The registry named on the command line: `memory` (the embedded default),
 * `etcd://host:port[,host:port]` or `zookeeper://host:port[,host:port]` (Go Kratos' layouts, so
 * Go services find this one). Close it after the app stops: an open connection keeps the process alive.
 */
export function newRegistry(
  url: string,
  logger: Logger,
): Registrar & Discovery & { close?(): Promise<void> } {
  if (url === 'memory') return createMemoryRegistry();
  if (url.startsWith('etcd://')) {
    const hosts = url
      .slice('etcd://'.length)
      .split(',')
      .map((h) => `http://${h.replace(/\/.*$/, '')}`);
    return createEtcdRegistry({ connection: { hosts }, logger });
  }
  if (url.startsWith('zookeeper://')) {
    return createZookeeperRegistry({
      connection: url.slice('zookeeper://'.length).replace(/\/.*$/, ''),
      logger,
    });
  }
  throw new Error(`unknown registry "${url}": want memory, etcd://host:port or zookeeper://host:port`);
}
