import type { EventEmitter } from 'node:events';
import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';
import { type ClientOptions, DataClient } from 'nacos';

/** What the source needs of a Nacos config client: `NacosConfigClient` and `DataClient` from `nacos` fit. */
export interface NacosConfigClientLike {
  getConfig(dataId: string, group: string): Promise<string | null>;
  subscribe(info: { dataId: string; group: string }, listener: (content: string) => void): unknown;
  unSubscribe(info: { dataId: string; group: string }, listener?: (content: string) => void): unknown;
  close(): unknown;
}

/** Options of {@link createNacosSource}. */
export interface NacosSourceOptions {
  /**
   * The data id to read (Go Kratos' `WithDataID`), e.g. `helloworld.yaml`; or several, each its own
   * document, in this order. The data id is the document's key and its extension the format.
   */
  dataId: string | readonly string[];
  /** The group (Go Kratos' `WithGroup`). Default `DEFAULT_GROUP`. */
  group?: string;
  /**
   * A client you built (`NacosConfigClient` or `DataClient` from `nacos`); closed by `close()` only
   * when `closeClient` is true. Listen to its `error` events yourself: unhandled they end the process.
   */
  client?: NacosConfigClientLike;
  /**
   * Client settings used when no `client` is given, e.g. `{ serverAddr: '127.0.0.1:8848', namespace: 'dev' }`.
   * `cacheDir` is where the client keeps its local snapshot of each config (default
   * `~/.node-diamond-client-cache`).
   */
  connection?: ClientOptions;
  /** Close the client in `close()`. Default: true when the source built it, false for an injected one. */
  closeClient?: boolean;
  /** Where watch problems are logged. Default: core's default logger. */
  logger?: Logger;
}

/** A Nacos config source. */
export interface NacosSource extends Source {
  /** Number of data ids with a Nacos listener registered (shared by every watcher). */
  readonly activeWatches: number;
  /** Stops every watcher and closes an owned client. */
  close(): Promise<void>;
}

const DEFAULT_GROUP = 'DEFAULT_GROUP';

/**
 * Go Kratos' nacos config source: the content of `dataId` in `group`, reported under the data id
 * with the format from its extension. Watchers share one listener per data id (the client's long
 * poll); each notification re-reads the full set.
 */
export function createNacosSource(options: NacosSourceOptions): NacosSource {
  const ids = typeof options?.dataId === 'string' ? [options.dataId] : [...(options?.dataId ?? [])];
  if (ids.length === 0 || ids.some((id) => typeof id !== 'string' || id === '')) {
    throw new TypeError('createNacosSource needs a dataId, e.g. { dataId: "helloworld.yaml" }');
  }
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createNacosSource needs a client or connection settings, e.g. { connection: { serverAddr: "127.0.0.1:8848" } }',
    );
  }
  const group = options.group ?? DEFAULT_GROUP;
  const log = createLogHelper(options.logger ?? defaultLogger());
  // Built here: a plain DataClient. NacosConfigClient wraps it in cluster-client, which elects a
  // leader among the processes of the machine over a local TCP port; a config source needs none of it.
  const owned = options.client ? undefined : new DataClient(options.connection as ClientOptions);
  const client: NacosConfigClientLike = options.client ?? (owned as unknown as NacosConfigClientLike);
  const closeClient = options.closeClient ?? !options.client;
  const addr = options.connection?.serverAddr ?? options.connection?.endpoint;
  const address = addr === undefined ? 'the given nacos client' : [addr].flat().join(',');
  const activeIds = new Set<string>();
  let lastProblem = '';
  // The client reports long-poll failures as 'error' events: unhandled they would end the process.
  const onClientError = (e: Error) => {
    const text = e?.message ?? String(e);
    // The long poll retries every 2 s; one line per kind of failure is enough.
    if (text === lastProblem) return;
    lastProblem = text;
    log.warnw(
      'msg',
      'nacos config client error, keeping the last good config',
      'address',
      address,
      'error',
      text,
    );
  };
  (owned as unknown as EventEmitter | undefined)?.on('error', onClientError);

  const load = async (): Promise<KeyValue[]> => {
    const out: KeyValue[] = [];
    for (const id of ids) {
      let content: string | null;
      try {
        content = await client.getConfig(id, group);
      } catch (e) {
        throw new Error(
          `nacos config source: cannot read dataId "${id}" group "${group}" from ${address}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      // Nacos answers 404 (null) for a missing config; empty content cannot be published.
      if (content === null || content === undefined || content === '') continue;
      out.push({ key: id, value: new TextEncoder().encode(content), format: formatFromKey(id) });
    }
    return out;
  };

  const source = createSharedWatchSource({
    name: `nacos config source for group "${group}"`,
    read: async () => {
      const set = await load();
      lastProblem = '';
      return set;
    },
    async start({ changed }) {
      const listener = () => changed();
      for (const id of ids) {
        client.subscribe({ dataId: id, group }, listener);
        activeIds.add(id);
      }
      changed();
      return () => {
        for (const id of ids) {
          client.unSubscribe({ dataId: id, group }, listener);
          activeIds.delete(id);
        }
      };
    },
    onError(_phase, e) {
      log.warnw(
        'msg',
        'nacos config source unreachable, keeping the last good config',
        'group',
        group,
        'address',
        address,
        'error',
        (e as Error).message,
      );
    },
    onClose() {
      if (!closeClient) return;
      // Closing a worker removes its listeners while its long poll may still be in flight: that
      // poll's failure would then be an unhandled 'error' event. Keep a listener on each worker.
      const workers = [
        ...((client as unknown as { clients?: Map<string, EventEmitter> }).clients?.values() ?? []),
      ];
      client.close();
      for (const w of workers) w.on('error', () => {});
    },
  });

  return {
    load,
    watch: () => source.watch(),
    close: () => source.close(),
    // One listener per data id, shared by every watcher (not the shared source's 0 or 1).
    get activeWatches() {
      return activeIds.size;
    },
  } satisfies NacosSource;
}
