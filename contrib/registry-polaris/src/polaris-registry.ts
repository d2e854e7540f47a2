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
  createChangePublisher,
  createOutageLog,
  createServiceWatches,
  type Fanout,
  type Heartbeat,
  type ServiceWatchBackend,
  startHeartbeat,
} from '@kratos/core/adapter';
import {
  instanceFromPolaris,
  type PolarisInstance,
  type PolarisInstanceSettings,
  polarisInstancesOf,
} from './instances.ts';

/** Options of {@link createPolarisRegistry} (Go Kratos' polaris `options` plus transport settings). */
export interface PolarisRegistryOptions {
  /** Base URL of the Polaris HTTP open API, e.g. `http://127.0.0.1:8090`. Required. */
  address: string;
  /** Polaris namespace (Go's `WithNamespace`). Default `default`. */
  namespace?: string;
  /** Service token (Go's `WithServiceToken`). Default none. */
  serviceToken?: string;
  /** Polaris `protocol` field of each instance (Go's `WithProtocol`). Default none. */
  protocol?: string;
  /** Instance weight, 0..10000 (Go's `WithWeight`). Default 100 (Go sends 0 unless set). */
  weight?: number;
  /** Instance priority (Go's `WithPriority`). Default 0. */
  priority?: number;
  /** Registered healthy flag (Go's `WithHealthy`). Default true. */
  healthy?: boolean;
  /** Registered isolate flag (Go's `WithIsolate`). Default false. */
  isolate?: boolean;
  /** Heartbeat TTL in seconds (Go's `WithTTL`); turns Polaris' heartbeat health check on. Default 5. */
  ttl?: number;
  /** Send heartbeats (Go's `WithHeartbeat`). Default true. */
  heartbeat?: boolean;
  /** ms between heartbeats. Default ttl / 2 (Go beats every ttl). */
  heartbeatInterval?: number;
  /**
   * Go registers each endpoint in the service `<name><scheme>` (`helloworldgrpc`) and discovers the
   * name it is given as is. With a kind, `getService('helloworld')` and `watch` read `helloworld<kind>`.
   * Discovered instances are named after the name asked for. Default none (as Go).
   */
  discoveryKind?: string;
  /** ms between `Discover` polls of a watched service (with the last revision). Default 1000. */
  pollInterval?: number;
  /** Bound of one HTTP call in ms. Default 10000. */
  timeout?: number;
  /** `fetch` to use. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A Polaris registrar and discovery. */
export interface PolarisRegistry extends Registrar, Discovery {
  /** Number of poll loops running (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops heartbeats and watches; deregisters nothing. */
  close(): Promise<void>;
}

/** Polaris' success codes: executed, and "discover data is no change". */
const OK = 200000;
const NO_CHANGE = 200001;
/** Polaris' "not found resource" (an unknown service in Discover). */
const NOT_FOUND = 400202;

interface Registration {
  instances: PolarisInstance[];
  heartbeat: Heartbeat | undefined;
  stopped: boolean;
}

/**
 * Go Kratos' Polaris registry over Polaris' HTTP open API (`/v1/RegisterInstance`,
 * `/v1/DeregisterInstance`, `/v1/Heartbeat`, `/v1/Discover`): one Polaris instance per endpoint,
 * heartbeats re-registering what the server forgot; watches poll `Discover` with the last revision,
 * one loop per service shared by every watcher.
 */
export function createPolarisRegistry(options: PolarisRegistryOptions): PolarisRegistry {
  const o = options ?? ({} as PolarisRegistryOptions);
  let base: URL;
  try {
    base = new URL(o.address);
  } catch {
    throw new TypeError(`invalid polaris address ${JSON.stringify(o.address)} (want http://host:port)`);
  }
  const positive = (name: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new TypeError(`${name} must be a positive number, got ${v}`);
    return v;
  };
  const ttl = o.ttl ?? 5;
  if (!(ttl >= 0) || !Number.isFinite(ttl))
    throw new TypeError(`ttl must be a number of seconds >= 0, got ${ttl}`);
  const heartbeat = (o.heartbeat ?? true) && ttl > 0;
  const beatMs = heartbeat ? positive('heartbeatInterval', o.heartbeatInterval ?? (ttl * 1000) / 2) : 0;
  const pollMs = positive('pollInterval', o.pollInterval ?? 1000);
  const timeout = positive('timeout', o.timeout ?? 10_000);
  const weight = o.weight ?? 100;
  if (!Number.isInteger(weight) || weight < 0 || weight > 10_000) {
    throw new TypeError(`weight must be an integer in 0..10000, got ${weight}`);
  }
  const settings: PolarisInstanceSettings = {
    namespace: o.namespace || 'default',
    weight,
    priority: o.priority ?? 0,
    healthy: o.healthy ?? true,
    isolate: o.isolate ?? false,
    ttl,
    ...(o.serviceToken ? { serviceToken: o.serviceToken } : {}),
    ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
  };
  const doFetch = o.fetch ?? fetch;
  const log = createLogHelper(o.logger ?? defaultLogger());
  const registrations = new Map<string, Registration>();
  const serviceOf = (name: string) => (o.discoveryKind ? `${name}${o.discoveryKind}` : name);

  const call = async (
    path: string,
    body: unknown,
  ): Promise<{ code: number; info: string; data: Record<string, unknown> }> => {
    const url = new URL(path, base);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      throw new Error(`polaris ${path} at ${base.host} failed: ${(e as Error).message}`, { cause: e });
    }
    const text = await res.text();
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`polaris ${path} answered ${res.status} with something that is not JSON`);
    }
    if (typeof data?.code !== 'number')
      throw new Error(`polaris ${path} answered ${res.status} without a code`);
    return { code: data.code, info: String(data.info ?? ''), data };
  };

  const registerOne = async (ins: PolarisInstance) => {
    const r = await call('/v1/RegisterInstance', ins);
    if (r.code !== OK) {
      throw new Error(`polaris register ${ins.service} ${ins.host}:${ins.port} answered ${r.code} ${r.info}`);
    }
  };
  const keyOf = (ins: PolarisInstance) => ({
    service: ins.service,
    namespace: ins.namespace,
    host: ins.host,
    port: ins.port,
    ...(ins.service_token ? { service_token: ins.service_token } : {}),
  });

  // Every instance of a registration is renewed even when one fails; the beat fails with the first error.
  const startBeats = (reg: Registration) =>
    startHeartbeat({
      backend: 'polaris',
      intervalMs: beatMs,
      log,
      fields: ['service', reg.instances[0]?.service],
      beat: async (stopped) => {
        let failure: unknown;
        for (const ins of reg.instances) {
          if (stopped()) return;
          try {
            const r = await call('/v1/Heartbeat', keyOf(ins));
            if (r.code === OK || stopped()) continue;
            // Polaris answers 4xxxxx when it does not know the instance (or its health check): register again.
            if (r.code < 400000 || r.code >= 500000)
              throw new Error(`polaris heartbeat answered ${r.code} ${r.info}`);
            log.warnw(
              'msg',
              'polaris heartbeat refused, registering again',
              'service',
              ins.service,
              'code',
              r.code,
            );
            await registerOne(ins);
          } catch (e) {
            failure ??= e;
          }
        }
        if (failure !== undefined) throw failure;
      },
    });
  /** Stops the registration's heartbeat; settles once a renewal in flight has ended. */
  const stopReg = async (reg: Registration | undefined): Promise<void> => {
    if (!reg) return;
    reg.stopped = true;
    await reg.heartbeat?.stop();
  };

  const toInstances = (list: unknown, name: string): ServiceInstance[] => {
    const out: ServiceInstance[] = [];
    for (const ins of Array.isArray(list) ? (list as PolarisInstance[]) : []) {
      // Go keeps healthy instances; isolated ones take no traffic either.
      if (ins && typeof ins === 'object' && (ins.healthy === false || ins.isolate === true)) continue;
      try {
        // Without a discoveryKind this is the Polaris service name, as Go reports it.
        out.push({ ...instanceFromPolaris(ins), name });
      } catch (e) {
        log.warnw(
          'msg',
          'skipping a polaris record that is not a kratos instance',
          'service',
          name,
          'error',
          (e as Error).message,
        );
      }
    }
    return out;
  };

  /** One Discover: `undefined` when the revision did not change. */
  const discover = async (name: string, revision?: string) => {
    const service: Record<string, string> = { name: serviceOf(name), namespace: settings.namespace };
    if (revision) service.revision = revision;
    const r = await call('/v1/Discover', { type: 1, service });
    if (r.code === NO_CHANGE) return undefined;
    if (r.code === NOT_FOUND) return { revision: '', instances: [] as ServiceInstance[] };
    if (r.code !== OK) throw new Error(`polaris discover of ${serviceOf(name)} answered ${r.code} ${r.info}`);
    const svc = r.data.service as { revision?: unknown } | null;
    return { revision: String(svc?.revision ?? ''), instances: toInstances(r.data.instances, name) };
  };

  // One backend watch per watched service, shared by its watchers.
  const watches = createServiceWatches({
    backend: 'polaris',
    serviceLabel: (name) => serviceOf(name),
    open: (name, fan) => openWatch(name, fan),
  });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let revision = '';
    const outage = createOutageLog('polaris', log, ['service', serviceOf(name)]);
    const publish = createChangePublisher(fan);
    const poll = async () => {
      try {
        const got = await discover(name, revision);
        outage.recovered();
        if (got) {
          revision = got.revision;
          publish(got.instances);
        }
      } catch (e) {
        outage.failed(e);
      }
    };
    const loop = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        void poll().then(loop);
      }, pollMs);
    };
    const first = discover(name).then((got) => {
      revision = got?.revision ?? '';
      publish(got?.instances ?? []);
      loop();
    });
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
    };
    return { ready: first, stop };
  };

  const check = (instance: ServiceInstance) => {
    if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
    if (!instance.name) throw new TypeError('service instance needs a non-empty name');
    if (!Array.isArray(instance.endpoints) || instance.endpoints.length === 0) {
      throw new TypeError('service instance needs at least one endpoint');
    }
  };

  return {
    async register(instance) {
      check(instance);
      const instances = polarisInstancesOf(instance, settings);
      // The old registration's renewal in flight lands first: it must not overwrite what this one writes.
      await stopReg(registrations.get(instance.id));
      const reg: Registration = { instances, heartbeat: undefined, stopped: false };
      registrations.set(instance.id, reg);
      try {
        for (const ins of instances) await registerOne(ins);
      } catch (e) {
        void stopReg(reg);
        if (registrations.get(instance.id) === reg) registrations.delete(instance.id);
        throw e;
      }
      if (heartbeat && !reg.stopped) reg.heartbeat = startBeats(reg);
    },
    async deregister(instance) {
      check(instance);
      const reg = registrations.get(instance.id);
      const stopping = stopReg(reg);
      registrations.delete(instance.id);
      // A renewal in flight (re-registering an instance the server forgot) must land before the delete.
      await stopping;
      // Go deregisters by the joined Polaris ids it put in the instance's id; host + port name the same
      // Polaris instance, so this works for any id.
      for (const ins of polarisInstancesOf(instance, settings)) {
        const r = await call('/v1/DeregisterInstance', keyOf(ins));
        if (r.code !== OK && r.code !== NOT_FOUND) {
          throw new Error(
            `polaris deregister ${ins.service} ${ins.host}:${ins.port} answered ${r.code} ${r.info}`,
          );
        }
      }
    },
    async getService(name) {
      if (!name) throw new TypeError('getService needs a service name');
      return (await discover(name))?.instances ?? [];
    },
    watch(name): Promise<ServiceWatcher> {
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      for (const reg of registrations.values()) void stopReg(reg);
      registrations.clear();
      await watches.close();
    },
  } satisfies PolarisRegistry;
}
