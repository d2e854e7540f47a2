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
  createCoalescedTask,
  createServiceWatches,
  type Fanout,
  InvalidInstanceError,
  marshalServiceInstance,
  type ServiceWatchBackend,
  unmarshalServiceInstance,
} from '@kratos/core/adapter';
import { type Client, CreateMode, Exception, type Event as ZkEvent } from 'node-zookeeper-client';
import { openZookeeperSession, type ZookeeperConnection } from './zookeeper-session.ts';

/** Options of {@link createZookeeperRegistry}. */
export interface ZookeeperRegistryOptions {
  /**
   * A node-zookeeper-client you built (connect() is called if it is not connected yet). It cannot
   * be rebuilt after its session expires: pass `connection` to get that recovery.
   */
  client?: Client;
  /** Connection settings (or just the connection string) used when no `client` is given. */
  connection?: string | ZookeeperConnection;
  /** Close the client in `close()`. Default: true when the registry built it, false for an injected one. */
  closeClient?: boolean;
  /** Root path. Default `/microservices`, as Go Kratos' `WithRootPath`. */
  namespace?: string;
  /** Digest ACL on created nodes (as Go Kratos' `WithDigestACL`); the client authenticates with it too. */
  digest?: { user: string; password: string };
  /** Bound of one ZooKeeper operation in ms (requests wait while disconnected). Default 5000. */
  operationTimeout?: number;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A ZooKeeper-backed registrar and discovery. */
export interface ZookeeperRegistry extends Registrar, Discovery {
  /** Number of ZooKeeper watches open (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** The client in use now (a new one after a session expiry of an owned client). */
  readonly client: Client;
  /** Deregisters nothing (ephemeral nodes go with the session); stops watches, closes an owned client. */
  close(): Promise<void>;
}

interface Registration {
  path: string;
  data: Buffer;
  /** Session the ephemeral node was created in (hex), '' while not created. */
  session: string;
}

/** A service's watch: reads the children again on `refresh` (events, reconnects). */
interface ZookeeperWatch extends ServiceWatchBackend {
  refresh(): Promise<void>;
}

const isCode = (e: unknown, code: number) =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;

/**
 * Go Kratos' ZooKeeper registry: persistent `<namespace>` and `<namespace>/<name>`, the instance
 * JSON in the ephemeral node `<namespace>/<name>/<id>`. When the session changes (expiry, then a
 * new session) the ephemeral nodes are created again; an owned client whose session expired is
 * replaced by a new one.
 */
export function createZookeeperRegistry(options: ZookeeperRegistryOptions = {}): ZookeeperRegistry {
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createZookeeperRegistry needs a client or connection settings, e.g. { connection: "127.0.0.1:2181" }',
    );
  }
  const conn: ZookeeperConnection | undefined =
    typeof options.connection === 'string' ? { servers: options.connection } : options.connection;
  if (!options.client && (!conn || typeof conn.servers !== 'string' || conn.servers.trim() === '')) {
    throw new TypeError('zookeeper connection needs a non-empty servers string, e.g. "127.0.0.1:2181"');
  }
  const namespace = (options.namespace ?? '/microservices').replace(/\/+$/, '');
  if (!namespace.startsWith('/'))
    throw new TypeError(`zookeeper namespace must start with "/", got "${namespace}"`);
  const opTimeout = options.operationTimeout ?? 5000;
  if (!(opTimeout > 0))
    throw new TypeError(`operationTimeout must be a positive number of ms, got ${opTimeout}`);
  const digest = options.digest;
  if (digest && (!digest.user || !digest.password))
    throw new TypeError('digest ACL needs a user and a password');
  const log = createLogHelper(options.logger ?? defaultLogger());
  const closeClient = options.closeClient ?? !options.client;

  const registrations = new Map<string, Registration>();
  // One watch per watched service, shared by its watchers; each is read again on reconnect.
  const watches = createServiceWatches({ backend: 'zookeeper', open: (name, fan) => openWatch(name, fan) });
  let closed = false;
  const zk = openZookeeperSession({
    client: options.client,
    connection: conn,
    digest,
    operationTimeout: opTimeout,
    log,
    onConnected: () => void onConnected(),
  });
  const { exists, create, remove, getData, getChildren } = zk;

  const ensurePersistent = async (path: string) => {
    if (await exists(path)) return;
    try {
      await create(path, Buffer.alloc(0), CreateMode.PERSISTENT);
    } catch (e) {
      if (!isCode(e, Exception.NODE_EXISTS)) throw e;
    }
  };

  /** Go's ensureName for the ephemeral node: delete a leftover (also one of an old session), create. */
  const ensureEphemeral = async (reg: Registration) => {
    const sid = zk.id();
    if (await exists(reg.path)) {
      try {
        await remove(reg.path);
      } catch (e) {
        if (!isCode(e, Exception.NO_NODE)) throw e;
      }
    }
    await create(reg.path, reg.data, CreateMode.EPHEMERAL);
    reg.session = sid;
  };

  const registerNodes = async (reg: Registration) => {
    await ensurePersistent(namespace);
    await ensurePersistent(reg.path.slice(0, reg.path.lastIndexOf('/')));
    await ensureEphemeral(reg);
  };

  let restoring: Promise<void> | undefined;
  const onConnected = async () => {
    // A new session lost the ephemeral nodes: create them again (Go compares session ids too).
    if (!restoring) {
      restoring = (async () => {
        const sid = zk.id();
        for (const reg of [...registrations.values()]) {
          // '' = its first creation is still in flight; the same session = its node is there.
          if (reg.session === '' || reg.session === sid || closed) continue;
          try {
            await registerNodes(reg);
            // Deregistered meanwhile: do not leave the node behind.
            if (registrations.get(reg.path) !== reg) await remove(reg.path).catch(() => {});
            log.infow('msg', 'zookeeper registration restored in a new session', 'path', reg.path);
          } catch (e) {
            log.warnw(
              'msg',
              'zookeeper re-registration failed',
              'path',
              reg.path,
              'error',
              (e as Error).message,
            );
          }
        }
      })().finally(() => {
        restoring = undefined;
      });
    }
    await restoring;
    for (const w of watches.backends()) void w.refresh();
  };

  const list = async (name: string, watcher?: (e: ZkEvent) => void): Promise<ServiceInstance[]> => {
    const dir = `${namespace}/${name}`;
    let children: string[];
    try {
      children = await getChildren(dir, watcher);
    } catch (e) {
      if (!isCode(e, Exception.NO_NODE)) throw e;
      // Nobody registered yet: watch for the service node to appear (as Go's ExistsW).
      if (watcher && (await exists(dir, watcher))) return list(name, watcher);
      return [];
    }
    const out: ServiceInstance[] = [];
    const datas = await Promise.all(
      children.map((child) =>
        getData(`${dir}/${child}`).catch((e: unknown) => {
          if (isCode(e, Exception.NO_NODE)) return undefined; // deleted meanwhile
          throw e;
        }),
      ),
    );
    children.forEach((child, i) => {
      const data = datas[i];
      if (!data) return;
      try {
        const inst = unmarshalServiceInstance(data);
        if (inst.name === name) out.push(inst);
      } catch (e) {
        if (!(e instanceof InvalidInstanceError)) throw e;
        log.warnw(
          'msg',
          'skipping a record that is not a service instance',
          'path',
          `${dir}/${child}`,
          'error',
          e.message,
        );
      }
    });
    return out;
  };

  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ZookeeperWatch => {
    let stopped = false;
    // One stable function: node-zookeeper-client registers a given watcher once per path.
    const onEvent = () => {
      if (!stopped && !closed) void reread.run();
    };
    const reread = createCoalescedTask(
      async () => {
        try {
          const set = await list(name, onEvent);
          if (!stopped) fan.publish(set);
        } catch (e) {
          log.warnw(
            'msg',
            'zookeeper unreachable, watchers keep the last known instances',
            'service',
            name,
            'error',
            (e as Error).message,
          );
        }
      },
      { stopped: () => stopped },
    );
    const refresh = () => reread.run();
    const ready = refresh().then(() => {
      if (fan.latest === undefined) throw new Error('server unreachable');
    });
    const stop = () => {
      stopped = true;
    };
    return { ready, stop, refresh };
  };

  const check = (instance: ServiceInstance) => {
    if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
    if (!instance.name) throw new TypeError('service instance needs a non-empty name');
    if (instance.id.includes('/') || instance.name.includes('/'))
      throw new TypeError(
        'service instance id and name must not contain "/" (they are ZooKeeper path segments)',
      );
  };

  return {
    async register(instance) {
      check(instance);
      const path = `${namespace}/${instance.name}/${instance.id}`;
      const reg: Registration = { path, data: Buffer.from(marshalServiceInstance(instance)), session: '' };
      registrations.set(path, reg);
      try {
        await registerNodes(reg);
      } catch (e) {
        if (registrations.get(path) === reg) registrations.delete(path);
        throw new Error(`zookeeper register ${path} failed: ${(e as Error).message}`, { cause: e });
      }
    },
    async deregister(instance) {
      check(instance);
      const path = `${namespace}/${instance.name}/${instance.id}`;
      registrations.delete(path);
      try {
        await remove(path);
      } catch (e) {
        if (!isCode(e, Exception.NO_NODE)) throw e;
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
    get client() {
      return zk.client;
    },
    async close() {
      closed = true;
      registrations.clear();
      await watches.close();
      await zk.close(closeClient);
    },
  } satisfies ZookeeperRegistry;
}
