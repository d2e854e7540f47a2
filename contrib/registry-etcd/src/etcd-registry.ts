import {
  createLogHelper,
  type Discovery,
  defaultLogger,
  type Logger,
  type Registrar,
  type ServiceInstance,
  type ServiceWatcher,
} from '@kratos/core';
import {
  backoffSchedule,
  createCoalescedTask,
  createServiceWatches,
  type Fanout,
  InvalidInstanceError,
  marshalServiceInstance,
  retryWithBackoff,
  type ServiceWatchBackend,
  unmarshalServiceInstance,
} from '@kratos/core/adapter';
import { Etcd3, type Watcher as EtcdWatcher, type IOptions, type Lease } from 'etcd3';

/** Options of {@link createEtcdRegistry}. */
export interface EtcdRegistryOptions {
  /** A client you built; closed by `close()` only when `closeClient` is true. */
  client?: Etcd3;
  /** Connection settings used when no `client` is given, e.g. `{ hosts: 'http://127.0.0.1:2379' }`. */
  connection?: IOptions;
  /** Close the client in `close()`. Default: true when the registry built it, false for an injected one. */
  closeClient?: boolean;
  /** Key prefix. Default `/microservices`, as Go Kratos. */
  namespace?: string;
  /** Lease TTL in seconds. Default 15, as Go Kratos. */
  ttl?: number;
  /** Re-registration attempts after the lease is lost, before waiting for the next loss. Default 5. */
  maxRetry?: number;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** An etcd-backed registrar and discovery. */
export interface EtcdRegistry extends Registrar, Discovery {
  /** Number of etcd watches open (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Deregisters nothing; stops keep-alives and watches, closes an owned client. */
  close(): Promise<void>;
}

interface Registration {
  key: string;
  value: string;
  lease: Lease | undefined;
  stopped: boolean;
  /** True while the one recovery loop of this registration runs. */
  recovering: boolean;
  /** Aborts when the registration ends (deregister, register again, close): ends its recovery. */
  ended: AbortController;
}

/** The longest pause before an etcd watch stream is opened again after it broke. */
const WATCH_RECONNECT_MAX_MS = 1000;

/**
 * The client options the registry builds its own client with: the caller's, plus reconnect
 * bounds unless the caller set them: a broken watch stream is opened again within about 1 s (etcd3's
 * default lets the pause grow to 30 s), and gRPC redials within 1 s (grpc-js' default grows to
 * 120 s), so watchers re-read the instances within about 2 s of etcd coming back.
 */
function withReconnectBounds(connection: IOptions): IOptions {
  return {
    ...connection,
    faultHandling: {
      watchBackoff: backoffSchedule({
        initialBackoffMs: 100,
        maxBackoffMs: WATCH_RECONNECT_MAX_MS,
        jitter: 0.2,
      }),
      ...connection.faultHandling,
    },
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': WATCH_RECONNECT_MAX_MS,
      ...connection.grpcOptions,
    },
  };
}

/**
 * Go Kratos' etcd registry: the instance JSON under `<namespace>/<name>/<id>` on a lease (TTL 15 s)
 * kept alive; when the lease is lost (etcd down longer than the TTL, keep-alive failing) it is
 * granted again and the key put again, with jittered exponential backoff, until etcd answers.
 */
export function createEtcdRegistry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createEtcdRegistry needs a client or connection settings, e.g. { connection: { hosts: "http://127.0.0.1:2379" } }',
    );
  }
  const ttl = options.ttl ?? 15;
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new TypeError(`etcd lease ttl must be a positive whole number of seconds, got ${ttl}`);
  const namespace = (options.namespace ?? '/microservices').replace(/\/+$/, '');
  const maxRetry = options.maxRetry ?? 5;
  const client = options.client ?? new Etcd3(withReconnectBounds(options.connection as IOptions));
  const closeClient = options.closeClient ?? !options.client;
  const log = createLogHelper(options.logger ?? defaultLogger());
  const registrations = new Map<string, Registration>();

  const keyOf = (i: ServiceInstance) => `${namespace}/${i.name}/${i.id}`;

  const putOnNewLease = async (reg: Registration) => {
    const lease = client.lease(ttl);
    reg.lease = lease;
    lease.on('lost', (err) => {
      if (reg.stopped || reg.recovering || reg.lease !== lease) return;
      log.warnw('msg', 'etcd lease lost, registering again', 'key', reg.key, 'error', err?.message);
      void reregister(reg);
    });
    await lease.put(reg.key).value(reg.value);
  };

  const reregister = async (reg: Registration) => {
    reg.recovering = true;
    let attempt = 0;
    const restored = await retryWithBackoff(
      async () => {
        attempt++;
        reg.lease?.release();
        await putOnNewLease(reg);
        return true;
      },
      {
        signal: reg.ended.signal,
        // As before: 0.5-1.5 x (500 ms doubling, maxRetry times at most, up to 30 s).
        initialBackoffMs: 500,
        maxBackoffMs: Math.min(30_000, 500 * 2 ** maxRetry),
        jitter: 0.5,
        onError: (err) =>
          log.warnw(
            'msg',
            'etcd re-registration failed, retrying',
            'key',
            reg.key,
            'attempt',
            attempt,
            'error',
            (err as Error).message,
          ),
      },
    );
    reg.recovering = false;
    if (restored) log.infow('msg', 'etcd registration restored', 'key', reg.key);
  };

  /** One record, or undefined (with a warning) when it is not an instance of `name`. */
  const parse = (name: string, key: string, value: string): ServiceInstance | undefined => {
    try {
      const inst = unmarshalServiceInstance(value);
      return inst.name === name ? inst : undefined;
    } catch (e) {
      if (!(e instanceof InvalidInstanceError)) throw e;
      log.warnw('msg', 'skipping a record that is not a service instance', 'key', key, 'error', e.message);
      return undefined;
    }
  };

  /** The instances of `name` by key, read in full. */
  const read = async (name: string): Promise<Map<string, ServiceInstance>> => {
    const kvs = await client.getAll().prefix(`${namespace}/${name}/`).strings();
    const out = new Map<string, ServiceInstance>();
    for (const [key, value] of Object.entries(kvs)) {
      const inst = parse(name, key, value);
      if (inst) out.set(key, inst);
    }
    return out;
  };

  const list = async (name: string): Promise<ServiceInstance[]> => [...(await read(name)).values()];

  // One backend watch per watched service, shared by its watchers.
  const watches = createServiceWatches({ backend: 'etcd', open: (name, fan) => openWatch(name, fan) });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    let watcher: EtcdWatcher | undefined;
    let closed = false;
    // The watched set by key. Watch events carry the changed record, so a change is applied
    // here and published without another read; the full read happens on (re)connect only.
    let current = new Map<string, ServiceInstance>();
    const refresh = createCoalescedTask(
      async () => {
        try {
          current = await read(name);
          if (!closed) fan.publish([...current.values()]);
        } catch (e) {
          log.warnw(
            'msg',
            'etcd unreachable, watchers keep the last known instances',
            'service',
            name,
            'error',
            (e as Error).message,
          );
        }
      },
      { stopped: () => closed },
    );
    const ready = (async () => {
      watcher = await client.watch().prefix(`${namespace}/${name}/`).create();
      // etcd3 emits put/delete for each event of a response, then our 'data' listener runs.
      watcher.on('put', (kv) => {
        const key = kv.key.toString();
        const inst = parse(name, key, kv.value.toString());
        if (inst) current.set(key, inst);
        else current.delete(key);
      });
      watcher.on('delete', (kv) => current.delete(kv.key.toString()));
      watcher.on('data', () => {
        if (closed) return;
        // A full read in flight may predate this event: read again once it ends.
        if (refresh.running) void refresh.run();
        else fan.publish([...current.values()]);
      });
      watcher.on('connected', () => void refresh.run());
      watcher.on('disconnected', () =>
        log.warnw('msg', 'etcd watch disconnected, serving the last known instances', 'service', name),
      );
      watcher.on('error', (e) => log.warnw('msg', 'etcd watch error', 'service', name, 'error', e.message));
      await refresh.run();
    })();
    const close = async () => {
      closed = true;
      await ready.catch(() => {});
      await watcher?.cancel().catch(() => {});
      await refresh.idle();
    };
    return { ready, stop: close };
  };

  return {
    async register(instance) {
      if (!instance?.id || !instance?.name)
        throw new TypeError('service instance needs a non-empty id and name');
      const key = keyOf(instance);
      const old = registrations.get(key);
      if (old) {
        old.stopped = true;
        old.ended.abort();
        await old.lease?.revoke().catch(() => {});
      }
      const reg: Registration = {
        key,
        value: marshalServiceInstance(instance),
        lease: undefined,
        stopped: false,
        recovering: false,
        ended: new AbortController(),
      };
      registrations.set(key, reg);
      try {
        await putOnNewLease(reg);
      } catch (e) {
        reg.stopped = true;
        reg.ended.abort();
        registrations.delete(key);
        reg.lease?.release();
        throw new Error(`etcd register ${key} failed: ${(e as Error).message}`, { cause: e });
      }
    },
    async deregister(instance) {
      if (!instance?.id || !instance?.name)
        throw new TypeError('service instance needs a non-empty id and name');
      const key = keyOf(instance);
      const reg = registrations.get(key);
      registrations.delete(key);
      if (reg) {
        reg.stopped = true;
        reg.ended.abort();
      }
      try {
        await client.delete().key(key);
      } finally {
        await reg?.lease?.revoke().catch(() => reg.lease?.release());
      }
    },
    async getService(name) {
      if (!name) throw new TypeError('getService needs a service name');
      return list(name);
    },
    watch(name): Promise<ServiceWatcher> {
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      for (const reg of registrations.values()) {
        reg.stopped = true;
        reg.ended.abort();
        reg.lease?.release();
      }
      registrations.clear();
      await watches.close();
      if (closeClient) client.close();
    },
  } satisfies EtcdRegistry;
}
