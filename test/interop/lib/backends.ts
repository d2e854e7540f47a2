import type { Discovery, Logger, Registrar, ServiceInstance } from '@kratos/core';
import { createConsulRegistry } from '@kratos/registry-consul';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { createNacosRegistry } from '@kratos/registry-nacos';
import { type StartedServer, startServer } from '@kratos/testkit';

/** A kratos-ts registry adapter: Registrar + Discovery + close. */
export type TsRegistry = Registrar & Discovery & { close(): Promise<void> };

export type Transport = 'grpc' | 'http';

/** Who reads an instance back: the kratos-ts adapter, or Go Kratos' contrib watcher. */
export type Reader = 'ts' | 'go';

/** A registry backend both languages share. */
export interface Backend {
  name: 'etcd' | 'consul' | 'nacos';
  /** Starts the real server (scripts/servers) and resolves its registry URL, e.g. `etcd://127.0.0.1:2379`. */
  start(): Promise<{ server: StartedServer; url: string }>;
  /**
   * How soon a dead instance should leave, in seconds: what both sides are given in the removal
   * tests (Go's `-ttl`, `openTsRegistry`'s `expirySeconds`), mapped onto the backend's closest
   * setting (etcd lease TTL; consul TTL check, TCP checks every half; nacos heart-beat and
   * delete timeouts in the instance metadata).
   */
  expirySeconds: number;
  /**
   * Bound, in seconds, within which a SIGKILLed instance has left the watchers of both languages:
   * the expiry plus the backend's own check period and the slower watcher's polling, plus margin.
   */
  removalSeconds: number;
  /**
   * The expiry every other service of the suite registers with (none: each contrib's default).
   * consul: a registered instance is listed (`passing`) only once its TCP checks first ran, at
   * a random moment within one check interval (10 s by default), so the suite uses 1 s checks.
   */
  serviceExpirySeconds?: number;
  /**
   * Whether one registry service holds every transport of an app. nacos: no, Go Kratos' contrib
   * registers one nacos service per endpoint scheme, `<name>.<scheme>`, and discovers names as
   * given, so Go clients dial `discovery:///<name>.grpc` / `<name>.http`.
   */
  oneServicePerApp: boolean;
  /**
   * Whether Go Kratos' watcher reports an empty set when the last instance of a service leaves.
   * consul: no (its contrib broadcasts only non-empty answers); nacos: no (nacos-sdk-go ignores
   * an empty host list unless `UpdateCacheWhenEmpty`, off by default and in the fixture). The
   * suite then keeps a second instance registered and watches the set shrink to it.
   */
  goSeesEmptySet: boolean;
  /**
   * Whether Go Kratos' gRPC clients, left as they are, send an `:authority` kratos-ts' gRPC
   * server refuses. nacos: yes, Go Kratos' resolver uses the instance name as each address's
   * ServerName, and the nacos contrib's watcher names instances with nacos' grouped service name
   * `DEFAULT_GROUP@@<name>.grpc`; Node's HTTP/2 (nghttp2) resets a stream whose `:authority`
   * holds an '@' (PROTOCOL_ERROR), grpc-go does not check. The fixture then dials with
   * `grpc.WithAuthority(<name>)` (the workaround) and one test shows the default failing.
   */
  goAuthorityRefused: boolean;
  /**
   * How `instance` (as registered, by either language) reads back from discovery of
   * `discoveryName(instance.name, transport)` through `reader`.
   */
  readBack(instance: ServiceInstance, transport: Transport, reader: Reader): ServiceInstance;
}

/** The registry service a client of `transport` discovers for the app `name`. */
export function discoveryName(backend: Backend, name: string, transport: Transport): string {
  return backend.oneServicePerApp ? name : `${name}.${transport}`;
}

/** The transports whose registry services differ (one lookup each): `['grpc']` when one service holds both. */
export function lookups(backend: Backend): Transport[] {
  return backend.oneServicePerApp ? ['grpc'] : ['grpc', 'http'];
}

const serverHost = (server: StartedServer, endpoint: string) => {
  const e = server.endpoints[endpoint] as string;
  return e.includes('://') ? new URL(e).host : e;
};

export const etcdBackend: Backend = {
  name: 'etcd',
  async start() {
    const server = await startServer('etcd');
    return { server, url: `etcd://${serverHost(server, 'client')}` };
  },
  expirySeconds: 3,
  removalSeconds: 11,
  oneServicePerApp: true,
  goSeesEmptySet: true,
  goAuthorityRefused: false,
  readBack: (instance) => instance,
};

export const consulBackend: Backend = {
  name: 'consul',
  async start() {
    const server = await startServer('consul');
    return { server, url: `consul://${serverHost(server, 'http')}` };
  },
  // TTL check 2 s, TCP checks every 1 s: a killed process fails its TCP check within ~1 s.
  expirySeconds: 2,
  removalSeconds: 10,
  serviceExpirySeconds: 2,
  oneServicePerApp: true,
  goSeesEmptySet: false,
  goAuthorityRefused: false,
  // Both store id, name, version (tag), metadata (Meta) and the endpoint URLs (tagged addresses).
  // Go's reader lists the endpoints in map order (random); kratos-ts puts the one at the
  // service's Address:Port (the first registered) first.
  readBack: (instance) => ({ ...instance, metadata: instance.metadata ?? {} }),
};

export const nacosBackend: Backend = {
  name: 'nacos',
  async start() {
    const server = await startServer('nacos');
    return { server, url: `nacos://${serverHost(server, 'http')}` };
  },
  // Heart-beat interval 1 s, heart-beat and delete timeouts 3 s; nacos checks them every 5 s,
  // kratos-ts polls every 2 s, Go's nacos-sdk-go gets a UDP push (or polls every 10 s).
  expirySeconds: 3,
  removalSeconds: 25,
  oneServicePerApp: false,
  goSeesEmptySet: false,
  goAuthorityRefused: true,
  readBack(instance, transport, reader) {
    const endpoint = instance.endpoints.find((e) => e.startsWith(`${transport}://`));
    if (!endpoint) throw new Error(`${instance.id} has no ${transport} endpoint`);
    const { hostname, port } = new URL(endpoint);
    const service = `${instance.name}.${transport}`;
    return {
      // The server's instance id; Go's watcher names the service with its group, as nacos answers.
      id: `${hostname}#${port}#DEFAULT#DEFAULT_GROUP@@${service}`,
      name: reader === 'go' ? `DEFAULT_GROUP@@${service}` : service,
      version: instance.version,
      // Go's GetService and kratos-ts add `weight` (ceil of the nacos weight); Go's watcher does not.
      metadata: {
        ...instance.metadata,
        kind: transport,
        version: instance.version,
        ...(reader === 'ts' ? { weight: '100' } : {}),
      },
      endpoints: [`${transport}://${hostname}:${port}`],
    };
  },
};

/**
 * The kratos-ts adapter for a registry URL (`etcd://`, `consul://`, `nacos://host:port`);
 * `expirySeconds` maps as {@link Backend.expirySeconds} says.
 */
export function openTsRegistry(url: string, o: { logger: Logger; expirySeconds?: number }): TsRegistry {
  const u = new URL(url);
  const expiry = o.expirySeconds || undefined;
  switch (u.protocol) {
    case 'etcd:':
      return createEtcdRegistry({
        connection: { hosts: `http://${u.host}` },
        logger: o.logger,
        ...(expiry ? { ttl: expiry } : {}),
      });
    case 'consul:':
      return createConsulRegistry({
        connection: { host: u.hostname, port: Number(u.port) },
        logger: o.logger,
        // The TTL check is twice the interval, as Go's.
        ...(expiry ? { healthCheckInterval: Math.max(1, Math.round(expiry / 2)) } : {}),
      });
    case 'nacos:': {
      const registry = createNacosRegistry({ connection: { serverList: u.host }, logger: o.logger });
      if (!expiry) return registry;
      // Neither nacos contrib has an expiry option: nacos reads it from these instance metadata
      // keys (ms), as the Go fixture sets them.
      const extra = {
        'preserved.heart.beat.interval': String(Math.max(500, Math.floor((expiry * 1000) / 3))),
        'preserved.heart.beat.timeout': String(expiry * 1000),
        'preserved.ip.delete.timeout': String(expiry * 1000),
      };
      const withExtra = (i: ServiceInstance) => ({ ...i, metadata: { ...i.metadata, ...extra } });
      return {
        register: (i) => registry.register(withExtra(i)),
        deregister: (i) => registry.deregister(withExtra(i)),
        getService: (name) => registry.getService(name),
        watch: (name) => registry.watch(name),
        close: () => registry.close(),
      };
    }
    default:
      throw new Error(`unknown registry ${url}`);
  }
}
