import { createMemoryRegistry, type Discovery, type Logger, type Registrar } from '@kratos/core';
import { createEtcdRegistry } from '@kratos/registry-etcd';

/**
 * The registry named on the command line: `memory` (the embedded default) or
 * `etcd://host:port[,host:port]` (Go Kratos' etcd layout, so Go services find this one).
 */
export function newRegistry(url: string, logger: Logger): Registrar & Discovery {
  if (url === 'memory') return createMemoryRegistry();
  if (url.startsWith('etcd://')) {
    const hosts = url
      .slice('etcd://'.length)
      .split(',')
      .map((h) => `http://${h.replace(/\/.*$/, '')}`);
    return createEtcdRegistry({ connection: { hosts }, logger });
  }
  throw new Error(`unknown registry "${url}": want memory or etcd://host:port`);
}
