import { createEtcdSource } from '@kratos/config-etcd';
import type { Logger, Source } from '@kratos/core';

/** A remote config source and what releases its connection. */
export interface RemoteSource extends Source {
  close(): Promise<void>;
}

/**
 * The config source named by `-remote-config`: `etcd://host:port[,host:port]/<key>` reads one key
 * (Go Kratos' contrib/config/etcd `WithPath`); a key ending in `/` reads every key under it
 * (`WithPrefix(true)`). Example: `etcd://127.0.0.1:2379/helloworld/config.yaml`.
 */
export function newRemoteSource(url: string, logger: Logger): RemoteSource {
  const m = /^etcd:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) {
    throw new Error(
      `unknown remote config "${url}": want etcd://host:port[,host:port]/<key>, e.g. etcd://127.0.0.1:2379/helloworld/config.yaml`,
    );
  }
  const hosts = (m[1] as string).split(',').map((h) => `http://${h}`);
  const key = m[2] as string;
  return createEtcdSource({ key, prefix: key.endsWith('/'), connection: { hosts }, logger });
}
