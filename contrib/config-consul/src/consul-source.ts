import { EventEmitter } from 'node:events';
import { createLogHelper, defaultLogger, type KeyValue, type Logger, type Source } from '@kratos/core';
import { createSharedWatchSource, formatFromKey } from '@kratos/core/adapter';
import Consul from 'consul';

/** Connection settings of the `consul` client. */
export type ConsulConnection = NonNullable<ConstructorParameters<typeof Consul>[0]>;

/** Options of {@link createConsulSource}. */
export interface ConsulSourceOptions {
  /**
   * The KV path (Go Kratos' `WithPath`): every key starting with it is read, reported with
   * `<path>/` trimmed, so `path: 'helloworld'` gives `config.yaml` for `helloworld/config.yaml`,
   * and `path: 'helloworld/config.yaml'` gives that one key under its full name.
   */
  path: string;
  /** A client you built. */
  client?: Consul;
  /** Client settings used when no `client` is given, e.g. `{ host: '127.0.0.1', port: 8500 }`. */
  connection?: ConsulConnection;
  /** Bound of one read, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** How long one blocking query waits for a change, in seconds. Default 55, as Go Kratos' registry. */
  waitSeconds?: number;
  /** Where watch problems are logged. Default: core's default logger. */
  logger?: Logger;
}

/** A Consul KV config source. */
export interface ConsulSource extends Source {
  /** Number of blocking-query loops running (one, shared by every watcher, or none). */
  readonly activeWatches: number;
  /** Stops every watcher. */
  close(): Promise<void>;
}

interface KvItem {
  Key: string;
  Value: Buffer | string | null;
}

/** A papi request context: returns the response too, and aborts the request on 'cancel'. */
class RequestContext extends EventEmitter {
  readonly includeResponse = true;
}

/**
 * Go Kratos' consul config source: every KV pair under `path`, keys relative to it, format from
 * the key's extension. Watchers share one blocking-query loop (`?index=&wait=`) that publishes
 * the full set whenever Consul's index moves.
 */
export function createConsulSource(options: ConsulSourceOptions): ConsulSource {
  if (!options || typeof options.path !== 'string' || options.path === '') {
    throw new TypeError('createConsulSource needs a path, e.g. { path: "helloworld" }');
  }
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createConsulSource needs a client or connection settings, e.g. { connection: { host: "127.0.0.1", port: 8500 } }',
    );
  }
  const { path } = options;
  const pathPrefix = path.endsWith('/') ? path : `${path}/`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const waitSeconds = options.waitSeconds ?? 55;
  const client = options.client ?? new Consul(options.connection);
  const c = options.connection;
  const address = c
    ? `${c.secure ? 'https' : 'http'}://${c.host ?? '127.0.0.1'}:${c.port ?? 8500}`
    : 'the given consul client';
  const log = createLogHelper(options.logger ?? defaultLogger());

  const toSet = (items: unknown): KeyValue[] => {
    const list = (Array.isArray(items) ? items : items ? [items] : []) as KvItem[];
    const out: KeyValue[] = [];
    for (const item of list) {
      const k = item.Key.startsWith(pathPrefix) ? item.Key.slice(pathPrefix.length) : item.Key;
      // The folder itself, and folder placeholders (`sub/` with no value), are not documents.
      if (k === '' || (item.Value === null && k.endsWith('/'))) continue;
      const bytes = item.Value === null ? new Uint8Array() : new Uint8Array(Buffer.from(item.Value));
      out.push({ key: k, value: bytes, format: formatFromKey(k) });
    }
    return out;
  };

  /** One (possibly blocking) read: the set and Consul's index. */
  const read = async (
    index: string | undefined,
    ctx: RequestContext,
  ): Promise<{ set: KeyValue[]; index: string | undefined }> => {
    const blocking = index !== undefined;
    const opts = {
      key: path,
      recurse: true,
      buffer: true,
      ctx,
      timeout: blocking ? waitSeconds * 1000 + 10_000 : timeoutMs,
      ...(blocking ? { index, wait: `${waitSeconds}s` } : {}),
    };
    let result: unknown;
    try {
      result = await client.kv.get(opts as Parameters<typeof client.kv.get>[0]);
    } catch (e) {
      throw new Error(
        `consul config source: cannot read "${path}" from ${address}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    const [res, body] = result as [{ headers: Record<string, string | undefined> }, unknown];
    return { set: toSet(body), index: res.headers['x-consul-index'] };
  };

  const load = async () => (await read(undefined, new RequestContext())).set;

  return createSharedWatchSource({
    name: `consul config source for "${path}"`,
    read: load,
    // One blocking-query loop per start (the one retry layer is the shared watch's).
    async start({ publish, signal, repeat }) {
      const ctx = new RequestContext();
      signal.addEventListener('abort', () => ctx.emit('cancel'), { once: true });
      let index = '0';
      // A failing query ends the session; the shared watch starts a new one (from index 0) after its backoff.
      return repeat(async () => {
        const r = await read(index, ctx);
        publish(r.set);
        // Consul's rules for blocking queries: an index that went backwards (a restarted
        // agent) or is not positive starts over.
        const next = BigInt(r.index ?? '0');
        index = next > 0n && next >= BigInt(index) ? next.toString() : '0';
      });
    },
    maxBackoffMs: 5000,
    onError(_phase, e) {
      log.warnw(
        'msg',
        'consul config source unreachable, keeping the last good config',
        'path',
        path,
        'address',
        address,
        'error',
        (e as Error).message,
      );
    },
  }) satisfies ConsulSource;
}
