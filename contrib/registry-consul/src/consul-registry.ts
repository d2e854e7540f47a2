import { EventEmitter } from 'node:events';
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
  createOutageLog,
  createServiceWatches,
  type Fanout,
  pause,
  repeatWithBackoff,
  type ServiceWatchBackend,
} from '@kratos/core/adapter';
import Consul from 'consul';
import {
  type ConsulServiceEntry,
  instanceFromEntry,
  type RegistrationSettings,
  serviceRegistrationJson,
} from './service-registration.ts';

/** A client of the `consul` package, as {@link ConsulRegistryOptions.client} takes it. */
export type ConsulClient = InstanceType<typeof Consul>;

/** Connection settings of {@link createConsulRegistry} (the `consul` package's constructor options). */
export type ConsulConnection = ConstructorParameters<typeof Consul>[0] & { baseUrl?: string };

/** Options of {@link createConsulRegistry}. */
export interface ConsulRegistryOptions {
  /** A `consul` client you built; closed (`destroy()`) by `close()` only when `closeClient` is true. */
  client?: ConsulClient;
  /** Connection settings used when no `client` is given, e.g. `{ host: '127.0.0.1', port: 8500 }`. */
  connection?: ConsulConnection;
  /** Destroy the client's HTTP agent in `close()`. Default: true when the registry built it. */
  closeClient?: boolean;
  /** A TCP check per endpoint (Go's `WithHealthCheck`). Default true. */
  healthCheck?: boolean;
  /** The TTL check `service:<id>` passed every `healthCheckInterval` (Go's `WithHeartbeat`). Default true. */
  heartbeat?: boolean;
  /** Seconds between TCP checks and heartbeats; the TTL is twice this. Default 10. */
  healthCheckInterval?: number;
  /** Seconds a check may stay critical before Consul drops the service. Default 600. */
  deregisterCriticalServiceAfter?: number;
  /** Extra checks in Consul's API shape, e.g. `{ HTTP: 'http://10.0.0.5:8000/healthz', Interval: '10s' }`. */
  serviceChecks?: Record<string, unknown>[];
  /** Extra tags after `version=<v>` (Go's `WithTags`). */
  tags?: string[];
  /** Datacenter to query. Default: the agent's. */
  datacenter?: string;
  /** Bound of non-blocking calls in ms (Go's `WithTimeout`). Default 10000. */
  timeout?: number;
  /** Blocking query wait (Consul duration). Default `55s`, as Go. */
  waitTime?: string;
  /** Turns health entries into instances (Go's `WithServiceResolver`). Default: Go's resolver. */
  resolver?: (entries: ConsulServiceEntry[]) => ServiceInstance[];
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A Consul-backed registrar and discovery. */
export interface ConsulRegistry extends Registrar, Discovery {
  /** Number of blocking-query loops running (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops heartbeats (services stay registered until their TTL check deregisters them) and watches. */
  close(): Promise<void>;
}

interface Heartbeat {
  stopped: boolean;
  /** Aborts when the heartbeat stops: cuts its pause before registering again short. */
  ended: AbortController;
  timer: ReturnType<typeof setTimeout> | undefined;
  body: Buffer;
}

interface InternalClient {
  _put(req: Record<string, unknown>): Promise<unknown>;
  _defaults?: { token?: string };
}

const positiveInt = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`${name} must be a positive whole number, got ${v}`);
  return v;
};

const statusCode = (e: unknown) => (e as { response?: { statusCode?: number } })?.response?.statusCode;

/**
 * Go Kratos' consul registry: an agent service registration with `version=<v>` tag, tagged addresses
 * per scheme holding the endpoint URLs, TCP checks and a TTL heartbeat; discovery through the health
 * endpoint (passing only) with blocking queries, shared by every watcher of a service.
 */
export function createConsulRegistry(options: ConsulRegistryOptions = {}): ConsulRegistry {
  if (!options.client && !options.connection) {
    throw new TypeError(
      'createConsulRegistry needs a client or connection settings, e.g. { connection: { host: "127.0.0.1", port: 8500 } }',
    );
  }
  const settings: RegistrationSettings = {
    healthCheck: options.healthCheck ?? true,
    heartbeat: options.heartbeat ?? true,
    healthCheckInterval: positiveInt('healthCheckInterval', options.healthCheckInterval ?? 10),
    deregisterCriticalServiceAfter: positiveInt(
      'deregisterCriticalServiceAfter',
      options.deregisterCriticalServiceAfter ?? 600,
    ),
    serviceChecks: options.serviceChecks ?? [],
    tags: options.tags ?? [],
  };
  const timeout = options.timeout ?? 10_000;
  if (!(timeout > 0)) throw new TypeError(`timeout must be a positive number of ms, got ${timeout}`);
  const waitTime = options.waitTime ?? '55s';
  const waitMatch = /^(\d+)(ms|s|m)$/.exec(waitTime);
  if (!waitMatch) throw new TypeError(`waitTime must be a Consul duration like "55s", got "${waitTime}"`);
  const waitMs = Number(waitMatch[1]) * (waitMatch[2] === 'ms' ? 1 : waitMatch[2] === 's' ? 1000 : 60_000);
  const client = options.client ?? new Consul(options.connection);
  const closeClient = options.closeClient ?? !options.client;
  const log = createLogHelper(options.logger ?? defaultLogger());
  const heartbeats = new Map<string, Heartbeat>();
  const dc = options.datacenter ? { dc: options.datacenter } : {};

  const resolve = (entries: unknown[]): ServiceInstance[] => {
    if (options.resolver) return options.resolver(entries as ConsulServiceEntry[]);
    const out: ServiceInstance[] = [];
    for (const entry of entries) {
      try {
        out.push(instanceFromEntry(entry as ConsulServiceEntry));
      } catch (e) {
        log.warnw(
          'msg',
          'skipping a consul entry that is not a service instance',
          'service',
          String((entry as ConsulServiceEntry)?.Service?.ID ?? '?'),
          'error',
          (e as Error).message,
        );
      }
    }
    return out;
  };

  // The consul package's service.register keeps only lan/wan tagged addresses; Go Kratos writes one per
  // scheme, so the registration body goes through the client's own request pipeline as is.
  const putRegistration = (body: Buffer, ms = timeout) => {
    const internal = client as unknown as InternalClient;
    const token = internal._defaults?.token;
    return internal._put({
      name: 'agent.service.register',
      path: '/agent/service/register',
      type: 'json',
      body,
      headers: token
        ? { 'x-consul-token': token, 'content-type': 'application/json' }
        : { 'content-type': 'application/json' },
      timeout: ms,
    });
  };

  const pass = (id: string) =>
    client.agent.check.pass({ id: `service:${id}`, note: 'pass', timeout } as never);

  const startHeartbeat = (id: string, hb: Heartbeat) => {
    const beat = async () => {
      if (hb.stopped) return;
      try {
        await pass(id);
      } catch (e) {
        log.errorw(
          'msg',
          '[Consul] update ttl heartbeat to consul failed',
          'id',
          id,
          'error',
          (e as Error).message,
        );
        // As Go: when a report fails, wait a random 0-5 s and register again (the agent may have lost it).
        await pause(Math.floor(Math.random() * 5) * 1000, hb.ended.signal);
        if (hb.stopped) return;
        try {
          await putRegistration(hb.body);
          await pass(id).catch(() => {});
          log.warnw('msg', '[Consul] re registry of service occurred success', 'id', id);
        } catch (e2) {
          log.errorw('msg', '[Consul] re registry service failed', 'id', id, 'error', (e2 as Error).message);
        }
      }
      if (!hb.stopped) hb.timer = setTimeout(beat, settings.healthCheckInterval * 1000);
    };
    hb.timer = setTimeout(beat, settings.healthCheckInterval * 1000);
  };

  const stopHeartbeat = (id: string) => {
    const hb = heartbeats.get(id);
    if (!hb) return;
    hb.stopped = true;
    hb.ended.abort();
    clearTimeout(hb.timer);
    heartbeats.delete(id);
  };

  const query = async (name: string, index: string | undefined, ctx?: EventEmitter) => {
    const blocking = index !== undefined;
    const reqCtx = Object.assign(ctx ?? new EventEmitter(), { includeResponse: true });
    const [res, body] = (await client.health.service({
      service: name,
      passing: true,
      ...dc,
      ...(blocking ? { index, wait: waitTime, timeout: waitMs + waitMs / 16 + 5000 } : { timeout }),
      ctx: reqCtx,
    } as never)) as unknown as [{ headers: Record<string, string | undefined> }, unknown];
    if (!Array.isArray(body)) throw new Error(`consul health answer for ${name} is not a list`);
    return { instances: resolve(body), index: res.headers['x-consul-index'] ?? '0' };
  };

  // A blocking query per watched service, shared by its watchers.
  const watches = createServiceWatches({ backend: 'consul', open: (name, fan) => openWatch(name, fan) });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    const stopping = new AbortController();
    let ctx: EventEmitter | undefined;
    const stop = () => {
      stopping.abort();
      ctx?.emit('cancel');
    };
    const first = query(name, undefined).then((r) => {
      fan.publish(r.instances);
      return r.index;
    });
    void first.then(
      (start) => {
        let index = start;
        const outage = createOutageLog('consul', log, ['service', name]);
        return repeatWithBackoff(
          async () => {
            ctx = new EventEmitter();
            try {
              const r = await query(name, index, ctx);
              if (stopping.signal.aborted) return;
              outage.recovered();
              // An index that went backwards (a restarted agent) restarts the blocking from 0.
              const next = BigInt(r.index) < BigInt(index) ? '0' : r.index;
              if (r.index !== index) fan.publish(r.instances);
              index = next;
            } catch (e) {
              // Read again from scratch once the agent answers.
              index = '0';
              throw e;
            }
          },
          {
            signal: stopping.signal,
            // A steady 1 s between failed queries, as before.
            initialBackoffMs: 1000,
            maxBackoffMs: 1000,
            onError: (e) => outage.failed(e),
          },
        );
      },
      () => {},
    );
    return { ready: first, stop };
  };

  const check = (instance: ServiceInstance) => {
    if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
    if (!instance.name) throw new TypeError('service instance needs a non-empty name');
  };

  return {
    async register(instance) {
      check(instance);
      const body = Buffer.from(serviceRegistrationJson(instance, settings));
      stopHeartbeat(instance.id);
      try {
        await putRegistration(body);
      } catch (e) {
        throw new Error(`consul register ${instance.id} failed: ${(e as Error).message}`, { cause: e });
      }
      if (settings.heartbeat) {
        const hb: Heartbeat = { stopped: false, ended: new AbortController(), timer: undefined, body };
        heartbeats.set(instance.id, hb);
        await pass(instance.id).catch((e: unknown) =>
          log.errorw(
            'msg',
            '[Consul] update ttl heartbeat to consul failed',
            'id',
            instance.id,
            'error',
            (e as Error).message,
          ),
        );
        startHeartbeat(instance.id, hb);
      }
    },
    async deregister(instance) {
      check(instance);
      stopHeartbeat(instance.id);
      try {
        await client.agent.service.deregister({ id: instance.id, timeout } as never);
      } catch (e) {
        if (statusCode(e) === 404) return;
        throw e;
      }
    },
    async getService(name) {
      if (!name) throw new TypeError('getService needs a service name');
      return (await query(name, undefined)).instances;
    },
    watch(name): Promise<ServiceWatcher> {
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      for (const id of [...heartbeats.keys()]) stopHeartbeat(id);
      await watches.close();
      if (closeClient) client.destroy();
    },
  } satisfies ConsulRegistry;
}
