import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { backoffSchedule, createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';
import { Etcd3, type IOptions } from 'etcd3';

/** Options of {@link createEtcdSource}. */
export interface EtcdSourceOptions {
  /** The key to read (Go Kratos' `WithPath`), e.g. `helloworld/config.yaml`; with `prefix`, every key under it. */
  key: string;
  /** Read every key starting with `key` (Go Kratos' `WithPrefix(true)`). Default false. */
  prefix?: boolean;
  /** A client you built; closed by `close()` only when `closeClient` is true. */
  client?: Etcd3;
  /** Connection settings used when no `client` is given, e.g. `{ hosts: 'http://127.0.0.1:2379' }`. */
  connection?: IOptions;
  /** Close the client in `close()`. Default: true when the source built it, false for an injected one. */
  closeClient?: boolean;
  /** Bound of one read, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Where watch problems (etcd unreachable, watch reconnecting) are logged. Default: core's default logger. */
  logger?: Logger;
}

/** An etcd config source. */
export interface EtcdSource extends Source {
  /** Number of etcd watches open (one, shared by every watcher, or none). */
  readonly activeWatches: number;
  /** Stops every watcher and closes an owned client. */
  close(): Promise<void>;
}

/**
 * The client options the source builds its own client with: the caller's, plus reconnect bounds
 * unless the caller set them: a broken watch stream is opened again within about 1 s (etcd3's default
 * lets the pause grow to 30 s) and gRPC redials within 1 s (grpc-js' default grows to 120 s), so
 * watchers read the config again within about 2 s of etcd coming back.
 */
function withReconnectBounds(connection: IOptions): IOptions {
  return {
    ...connection,
    faultHandling: {
      watchBackoff: backoffSchedule({ initialBackoffMs: 100, maxBackoffMs: 1000, jitter: 0.2 }),
      ...connection.faultHandling,
    },
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 1000,
      ...connection.grpcOptions,
    },
  };
}

function describeHosts(options: EtcdSourceOptions): string {
  const hosts = options.connection?.hosts;
  if (hosts === undefined) return 'the given etcd client';
  return Array.isArray(hosts) ? hosts.join(',') : hosts;
}

/**
 * Go Kratos' etcd config source: the value of `key` (or of every key under it with `prefix`),
 * each reported under its full etcd key with the format taken from the key's extension. Watchers
 * share one etcd watch and get the full set again after every change.
 */
export function createEtcdSource(options: EtcdSourceOptions): EtcdSource {
  if (!options || typeof options.key !== 'string' || options.key === '') {
    throw new TypeError('createEtcdSource needs a key, e.g. { key: "helloworld/config.yaml" }');
  }
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createEtcdSource needs a client or connection settings, e.g. { connection: { hosts: "http://127.0.0.1:2379" } }',
    );
  }
  const { key } = options;
  const prefix = options.prefix ?? false;
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = options.client ?? new Etcd3(withReconnectBounds(options.connection as IOptions));
  const closeClient = options.closeClient ?? !options.client;
  const address = describeHosts(options);
  const what = prefix ? `keys under "${key}"` : `key "${key}"`;
  const log = createLogHelper(options.logger ?? defaultLogger());

  const load = async (): Promise<KeyValue[]> => {
    const range = prefix ? client.getAll().prefix(key) : client.get(key);
    let res: Awaited<ReturnType<typeof range.exec>>;
    try {
      res = await range.options({ deadline: Date.now() + timeoutMs }).exec();
    } catch (e) {
      throw new Error(`etcd config source: cannot read ${what} from ${address}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return res.kvs.map((kv) => {
      const k = kv.key.toString();
      // A copy: the response buffer is shared, and callers may keep or change what they get.
      return { key: k, value: new Uint8Array(kv.value), format: formatFromKey(k) };
    });
  };

  return createSharedWatchSource({
    name: `etcd config source for ${what}`,
    read: load,
    async start({ changed, signal }) {
      const builder = prefix ? client.watch().prefix(key) : client.watch().key(key);
      const watcher = await builder.create();
      if (signal.aborted) {
        await watcher.cancel();
        return undefined;
      }
      watcher.on('data', changed);
      // Also after a reconnect: changes made while etcd was unreachable are read then.
      watcher.on('connected', changed);
      watcher.on('disconnected', (e) =>
        log.warnw(
          'msg',
          'etcd config watch disconnected, keeping the last good config',
          'key',
          key,
          'address',
          address,
          'error',
          e?.message,
        ),
      );
      watcher.on('error', (e) =>
        log.warnw('msg', 'etcd config watch error', 'key', key, 'address', address, 'error', e.message),
      );
      changed();
      return () => watcher.cancel();
    },
    onError(phase, e) {
      log.warnw(
        'msg',
        phase === 'read'
          ? 'etcd config source unreachable, keeping the last good config'
          : 'etcd config watch could not start, retrying',
        'key',
        key,
        'address',
        address,
        'error',
        (e as Error).message,
      );
    },
    onClose() {
      if (closeClient) client.close();
    },
  }) satisfies EtcdSource;
}
