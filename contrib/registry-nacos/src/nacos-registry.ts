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
  type ServiceWatchBackend,
} from '@kratos/core/adapter';
import { joinHostPort, splitEndpoint } from '@kratos/core/transport';
import { type Host, NacosNamingClient } from 'nacos';

type NamingClientConfig = ConstructorParameters<typeof NacosNamingClient>[0];

/** Connection settings of {@link createNacosRegistry} (the `nacos` naming client's; `logger` optional). */
export type NacosConnection = Omit<ConstructorParameters<typeof NacosNamingClient>[0], 'logger'> & {
  logger?: ConstructorParameters<typeof NacosNamingClient>[0]['logger'];
};

/** Options of {@link createNacosRegistry}. */
export interface NacosRegistryOptions {
  /** A `NacosNamingClient` you built (ready() is awaited before the first call). */
  client?: NacosNamingClient;
  /** Connection settings used when no `client` is given, e.g. `{ serverList: '127.0.0.1:8848' }`. */
  connection?: NacosConnection;
  /** Close the client in `close()`. Default: true when the registry built it. */
  closeClient?: boolean;
  /** Weight of registered instances unless metadata `weight` parses as a number. Default 100, as Go. */
  weight?: number;
  /** Cluster. Default `DEFAULT`, as Go. */
  cluster?: string;
  /** Group. Default `DEFAULT_GROUP`, as Go. */
  group?: string;
  /** Scheme of a discovered instance without `kind` metadata (Go's `WithDefaultKind`). Default `grpc`. */
  kind?: string;
  /**
   * Discovery of name `n` looks up the nacos service `n.<discoveryKind>` (Go looks up the name as
   * given, e.g. `helloworld.grpc`). Default: none, the name as given.
   */
  discoveryKind?: string;
  /** How often a watch re-reads its service, in ms (pushes trigger reads in between). Default 2000. */
  pollInterval?: number;
  /** Bound of one call in ms. Default 10000. */
  timeout?: number;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A Nacos-backed registrar and discovery. */
export interface NacosRegistry extends Registrar, Discovery {
  /** Number of nacos subscriptions open (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops heartbeats and subscriptions, closes an owned client. */
  close(): Promise<void>;
}

/** One nacos instance as Go Kratos' nacos registry registers it per endpoint. */
export interface NacosInstanceRegistration {
  serviceName: string;
  ip: string;
  port: number;
  weight: number;
  enabled: true;
  healthy: true;
  ephemeral: true;
  metadata: Record<string, string>;
  clusterName: string;
  groupName: string;
}

/**
 * Go's Register: one nacos instance per endpoint, service `<name>.<scheme>`, metadata = the
 * instance's plus `kind` and `version`, weight from metadata `weight` when it parses, else `weight`.
 */
export function nacosInstancesOf(
  instance: ServiceInstance,
  o: { weight: number; cluster: string; group: string },
): NacosInstanceRegistration[] {
  return instance.endpoints.map((endpoint) => {
    const { scheme, host, port: written } = splitEndpoint(endpoint);
    const port = Number(written);
    if (!written || !Number.isInteger(port)) throw new TypeError(`endpoint "${endpoint}" has no port`);
    let weight = o.weight;
    const w = instance.metadata?.weight;
    if (w !== undefined) {
      const parsed = Number(w);
      if (w.trim() !== '' && Number.isFinite(parsed)) weight = parsed;
    }
    return {
      serviceName: `${instance.name}.${scheme}`,
      ip: host,
      port,
      weight,
      enabled: true,
      healthy: true,
      ephemeral: true,
      metadata: { ...instance.metadata, kind: scheme, version: instance.version },
      clusterName: o.cluster,
      groupName: o.group,
    };
  });
}

/**
 * Go's GetService/watcher reading: id = nacos instanceId (else `ip#port#cluster#service`), endpoint
 * `<kind>://ip:port`, version from metadata, metadata `weight` = ceil(weight). Throws a TypeError for
 * a host that is not an instance record.
 */
export function instanceFromHost(host: Host, name: string, defaultKind: string): ServiceInstance {
  if (!host || typeof host !== 'object') throw new TypeError('not an object');
  if (typeof host.ip !== 'string' || host.ip === '') throw new TypeError('instance has no ip');
  const port = Number(host.port);
  if (!Number.isInteger(port) || port <= 0) throw new TypeError('instance has no port');
  const metadata: Record<string, string> = {};
  if (host.metadata && typeof host.metadata === 'object') {
    for (const [k, v] of Object.entries(host.metadata as Record<string, unknown>)) metadata[k] = String(v);
  }
  const kind = metadata.kind ?? defaultKind;
  const id =
    typeof host.instanceId === 'string' && host.instanceId !== ''
      ? host.instanceId
      : `${host.ip}#${port}#${host.clusterName}#${host.serviceName}`;
  if (typeof host.weight === 'number' && host.weight > 0) metadata.weight = String(Math.ceil(host.weight));
  return {
    id,
    name,
    version: metadata.version ?? '',
    metadata,
    endpoints: [`${kind}://${joinHostPort(host.ip, port)}`],
  };
}

/**
 * Go Kratos' nacos registry on the `nacos` naming client (HTTP API v1 with client heartbeats for
 * ephemeral instances): one instance per endpoint in `<name>.<scheme>`; discovery through
 * subscriptions shared by every watcher of a service.
 */
export function createNacosRegistry(options: NacosRegistryOptions = {}): NacosRegistry {
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createNacosRegistry needs a client or connection settings, e.g. { connection: { serverList: "127.0.0.1:8848" } }',
    );
  }
  if (!options.client) {
    const list = options.connection?.serverList;
    if (!list || (Array.isArray(list) && list.length === 0))
      throw new TypeError('nacos connection needs a serverList, e.g. "127.0.0.1:8848"');
  }
  const weight = options.weight ?? 100;
  if (!(weight >= 0)) throw new TypeError(`weight must be a number >= 0, got ${weight}`);
  const timeout = options.timeout ?? 10_000;
  if (!(timeout > 0)) throw new TypeError(`timeout must be a positive number of ms, got ${timeout}`);
  const deregisterSettleMs = 600;
  const pollInterval = options.pollInterval ?? 2000;
  if (!(pollInterval > 0))
    throw new TypeError(`pollInterval must be a positive number of ms, got ${pollInterval}`);
  const cluster = options.cluster ?? 'DEFAULT';
  const group = options.group ?? 'DEFAULT_GROUP';
  const kind = options.kind ?? 'grpc';
  const log = createLogHelper(options.logger ?? defaultLogger());
  // The naming client logs through a console-like object; route it to ours (its errors are warnings here).
  const clientLogger = {
    debug() {},
    info() {},
    log() {},
    warn: (...a: unknown[]) => log.warnw('msg', 'nacos client', 'detail', a.map(String).join(' ')),
    error: (...a: unknown[]) =>
      log.warnw(
        'msg',
        'nacos client',
        'detail',
        a.map((x) => (x instanceof Error ? x.message : String(x))).join(' '),
      ),
  } as unknown as NamingClientConfig['logger'];
  const client =
    options.client ??
    new NacosNamingClient({ logger: clientLogger, ...options.connection } as NamingClientConfig);
  const closeClient = options.closeClient ?? !options.client;
  const serviceOf = (name: string) => (options.discoveryKind ? `${name}.${options.discoveryKind}` : name);

  let ready: Promise<void> | undefined;
  const bounded = <T>(what: string, p: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`nacos ${what} timed out after ${timeout} ms`)), timeout);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  const whenReady = () => {
    ready ??= bounded('connect', client.ready()).catch((e: unknown) => {
      ready = undefined;
      throw e;
    });
    return ready;
  };

  // The client's own service cache treats an empty host list as invalid and keeps the previous hosts
  // (and never tells subscribers about it), so reads go to the server through the client's proxy.
  const proxy = (
    client as unknown as {
      _serverProxy: { queryList(s: string, c: string, udp: number, healthyOnly: boolean): Promise<string> };
    }
  )._serverProxy;
  const queryHosts = async (name: string): Promise<unknown[]> => {
    await whenReady();
    const text = await bounded('query', proxy.queryList(`${group}@@${serviceOf(name)}`, cluster, 0, false));
    const body = JSON.parse(text) as { hosts?: unknown };
    if (!Array.isArray(body?.hosts)) throw new Error(`nacos answer for ${serviceOf(name)} has no host list`);
    return body.hosts;
  };

  const toInstances = (hosts: unknown, name: string): ServiceInstance[] => {
    const out: ServiceInstance[] = [];
    for (const h of Array.isArray(hosts) ? (hosts as Host[]) : []) {
      if (h && (h.healthy === false || h.enabled === false)) continue;
      try {
        out.push(instanceFromHost(h, name, kind));
      } catch (e) {
        log.warnw(
          'msg',
          'skipping a nacos instance that is not a service instance',
          'service',
          name,
          'error',
          (e as Error).message,
        );
      }
    }
    return out;
  };

  const check = (instance: ServiceInstance) => {
    if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
    if (!instance.name) throw new TypeError('service instance needs a non-empty name');
  };

  // One subscription and poll per watched service, shared by its watchers.
  const watches = createServiceWatches({ backend: 'nacos', open: (name, fan) => openWatch(name, fan) });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    const info = { serviceName: serviceOf(name), groupName: group, clusters: cluster };
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = '';
    let failing = false;
    // A push during a read asks for one more read after it, so no push is missed.
    const reread = createCoalescedTask(
      async () => {
        try {
          const set = toInstances(await queryHosts(name), name);
          const key = JSON.stringify(set);
          if (failing) log.infow('msg', 'nacos reachable again', 'service', name);
          failing = false;
          if (!closed && (key !== last || fan.latest === undefined)) {
            last = key;
            fan.publish(set);
          }
        } catch (e) {
          if (!failing && !closed) {
            log.warnw(
              'msg',
              'nacos unreachable, watchers keep the last known instances',
              'service',
              name,
              'error',
              (e as Error).message,
            );
          }
          failing = true;
        }
      },
      { stopped: () => closed },
    );
    const refresh = () => reread.run();
    // Pushes from the server trigger a read at once; the poll catches what pushes miss (removals to empty).
    const listener = () => void refresh();
    const poll = () => {
      timer = setTimeout(async () => {
        await refresh();
        if (!closed) poll();
      }, pollInterval);
    };
    const stop = () => {
      closed = true;
      clearTimeout(timer);
      client.unSubscribe(info, listener);
    };
    const ready = (async () => {
      await whenReady();
      await refresh();
      if (fan.latest === undefined) throw new Error('server unreachable');
      if (closed) return;
      client.subscribe(info, listener);
      poll();
    })();
    return { ready, stop };
  };

  return {
    async register(instance) {
      check(instance);
      const regs = nacosInstancesOf(instance, { weight, cluster, group });
      await whenReady();
      for (const r of regs) {
        const { serviceName, groupName, ...inst } = r;
        try {
          await bounded('register', client.registerInstance(serviceName, inst as never, groupName));
        } catch (e) {
          throw new Error(`nacos register ${serviceName} ${r.ip}:${r.port} failed: ${(e as Error).message}`, {
            cause: e,
          });
        }
      }
    },
    async deregister(instance) {
      check(instance);
      const regs = nacosInstancesOf(instance, { weight, cluster, group });
      await whenReady();
      const remove = async () => {
        for (const r of regs) {
          const { serviceName, groupName, ...inst } = r;
          await bounded('deregister', client.deregisterInstance(serviceName, inst as never, groupName));
        }
      };
      await remove();
      // A client heartbeat already on its way registers an ephemeral instance again when the server
      // handles it after the delete (nacos 2 re-creates instances from v1 beats): delete once more
      // after the beat's round trip.
      await new Promise((r) => setTimeout(r, deregisterSettleMs));
      await remove();
    },
    async getService(name) {
      if (!name) throw new TypeError('getService needs a service name');
      return toInstances(await queryHosts(name), name);
    },
    watch(name): Promise<ServiceWatcher> {
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      await watches.close();
      if (closeClient) await (client as unknown as { close(): Promise<void> }).close();
    },
  } satisfies NacosRegistry;
}
