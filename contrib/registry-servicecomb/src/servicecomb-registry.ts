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
  checkEndpointUrls,
  checkInstance,
  createPollingWatch,
  createServiceWatches,
  type Heartbeat,
  positiveOption,
  startHeartbeat,
} from '@kratos/core/adapter';
import { createCaller, INSTANCE_MISSING, isCode, SERVICE_EXISTS, SERVICE_MISSING } from './client.ts';
import { instanceFromServiceComb, instanceRecord, microService, serviceCombVersion } from './instances.ts';

/** Options of {@link createServiceCombRegistry} (Go Kratos' servicecomb registry and its `sc.Client`). */
export interface ServiceCombRegistryOptions {
  /** service-center addresses, e.g. `http://127.0.0.1:30100` (sc-client's `Endpoints`). A failed call tries the next. Required. */
  endpoints: string[];
  /** Application the microservices belong to. Default: `CAS_APPLICATION_NAME` from the environment, else `default` (as Go). */
  appId?: string;
  /** Microservice environment (`''`, `development`, `testing`, `acceptance`, `production`). Default: `CAS_ENVIRONMENT_ID`, else `''` (as Go). */
  environment?: string;
  /** Project in the API path `/v4/{project}/registry`. Default `default`. */
  project?: string;
  /** Tenant sent as `X-Domain-Name`. Default `default`. */
  domain?: string;
  /** The microservice version for an instance. Default {@link serviceCombVersion} of its version. */
  serviceVersion?: (instance: ServiceInstance) => string;
  /** ms between heartbeats (Go: 30 s); also sent as the instance's health-check interval. Default 30000. */
  heartbeatInterval?: number;
  /** ms between reads of a watched service. Default 5000. */
  refreshInterval?: number;
  /** Bound of one HTTP call in ms. Default 10000. */
  timeout?: number;
  /** `fetch` to use (proxies, TLS, tests). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A ServiceComb service-center registrar and discovery. */
export interface ServiceCombRegistry extends Registrar, Discovery {
  /** Number of backend watches running (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops heartbeats (instances expire after their lease) and watches; deregisters nothing. */
  close(): Promise<void>;
}

interface CallOptions {
  signal?: AbortSignal;
}

interface Registration {
  instance: ServiceInstance;
  serviceId: string;
  serviceVersion: string;
  heartbeat: Heartbeat | undefined;
  stopped: boolean;
}

/**
 * Go Kratos' ServiceComb registry over service-center's REST API: a microservice per name and
 * version (created, or found when it exists), the instance under it, a heartbeat every 30 s
 * (registering again when service-center has lost it), deletion on deregister; discovery of the UP
 * instances of every version, and watches that re-read the service every `refreshInterval`.
 */
export function createServiceCombRegistry(options: ServiceCombRegistryOptions): ServiceCombRegistry {
  const o = options ?? ({} as ServiceCombRegistryOptions);
  checkEndpointUrls('servicecomb', o.endpoints);
  const heartbeatMs = positiveOption(o.heartbeatInterval, 30_000, 'heartbeatInterval');
  const refreshMs = positiveOption(o.refreshInterval, 5000, 'refreshInterval');
  const timeout = positiveOption(o.timeout, 10_000, 'timeout');
  const appId = o.appId ?? (process.env.CAS_APPLICATION_NAME || 'default');
  const environment = o.environment ?? process.env.CAS_ENVIRONMENT_ID ?? '';
  const project = o.project ?? 'default';
  const domain = o.domain ?? 'default';
  const versionOf = o.serviceVersion ?? ((i: ServiceInstance) => serviceCombVersion(i.version));
  const log = createLogHelper(o.logger ?? defaultLogger());
  const registrations = new Map<string, Registration>();

  const call = createCaller({ endpoints: o.endpoints, project, domain, timeout, fetch: o.fetch ?? fetch });

  const existence = async (name: string, version: string, signal?: AbortSignal): Promise<string> => {
    const q = new URLSearchParams({
      type: 'microservice',
      appId,
      serviceName: name,
      version,
      env: environment,
    });
    const r = (await call('GET', `/existence?${q}`, `lookup of ${name}/${version}`, undefined, signal)) as {
      serviceId?: string;
    };
    if (!r?.serviceId) throw new Error(`servicecomb lookup of ${name}/${version} answered no serviceId`);
    return r.serviceId;
  };

  /** Go's order: create the microservice; when it exists already, look its id up. */
  const ensureService = async (instance: ServiceInstance, version: string, signal?: AbortSignal) => {
    const service = microService(instance, { appId, environment, version });
    try {
      const r = (await call(
        'POST',
        '/microservices',
        `create of ${instance.name}/${version}`,
        { service },
        signal,
      )) as {
        serviceId?: string;
      };
      if (r?.serviceId) return r.serviceId;
    } catch (e) {
      if (!isCode(e, SERVICE_EXISTS)) throw e;
    }
    return existence(instance.name, version, signal);
  };

  const putInstance = async (reg: Registration, signal?: AbortSignal) => {
    const record = instanceRecord(reg.instance, {
      serviceId: reg.serviceId,
      appId,
      environment,
      serviceVersion: reg.serviceVersion,
      heartbeatSeconds: Math.max(1, Math.ceil(heartbeatMs / 1000)),
    });
    await call(
      'POST',
      `/microservices/${reg.serviceId}/instances`,
      `register of ${reg.instance.id}`,
      { instance: record },
      signal,
    );
  };

  const removeInstance = async (serviceId: string, id: string, signal?: AbortSignal) => {
    try {
      await call(
        'DELETE',
        `/microservices/${serviceId}/instances/${encodeURIComponent(id)}`,
        `delete of ${id}`,
        undefined,
        signal,
      );
    } catch (e) {
      if (!isCode(e, INSTANCE_MISSING) && !isCode(e, SERVICE_MISSING)) throw e;
    }
  };

  const heartbeat = (reg: Registration) =>
    startHeartbeat({
      backend: 'servicecomb',
      intervalMs: heartbeatMs,
      log,
      fields: ['instance', reg.instance.id],
      beat: async (stopped) => {
        try {
          await call(
            'PUT',
            `/microservices/${reg.serviceId}/instances/${encodeURIComponent(reg.instance.id)}/heartbeat`,
            'heartbeat',
          );
        } catch (e) {
          if (!isCode(e, INSTANCE_MISSING) && !isCode(e, SERVICE_MISSING)) throw e;
          log.warnw('msg', 'servicecomb lost the instance, registering again', 'instance', reg.instance.id);
          if (stopped()) return;
          reg.serviceId = await ensureService(reg.instance, reg.serviceVersion);
          if (!stopped()) await putInstance(reg);
        }
      },
    });

  const fetchService = async (name: string, signal?: AbortSignal): Promise<ServiceInstance[]> => {
    // Every version ("0+"): Kratos clients pick among all instances of a name, as Go's `""` rule does.
    const q = new URLSearchParams({ appId, serviceName: name, version: '0+', env: environment });
    let r: { instances?: unknown };
    try {
      r = (await call('GET', `/instances?${q}`, `read of ${name}`, undefined, signal)) as typeof r;
    } catch (e) {
      if (isCode(e, SERVICE_MISSING)) return [];
      throw e;
    }
    const out: ServiceInstance[] = [];
    for (const rec of Array.isArray(r?.instances) ? r.instances : []) {
      const inst = instanceFromServiceComb(rec, name);
      if (inst) out.push(inst);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };

  // One backend watch per watched service, shared by its watchers: a re-read every refreshInterval.
  const watches = createServiceWatches({
    backend: 'servicecomb',
    open: (name, fan) =>
      createPollingWatch({
        backend: 'servicecomb',
        service: name,
        fan,
        read: (signal) => fetchService(name, signal),
        intervalMs: refreshMs,
        log,
      }),
  });
  const keyOf = (i: ServiceInstance) => `${i.name}\u0000${i.id}`;
  /** Stops the registration's heartbeat; settles once a renewal in flight has ended. */
  const stopReg = async (reg: Registration | undefined): Promise<void> => {
    if (!reg) return;
    reg.stopped = true;
    await reg.heartbeat?.stop();
  };

  return {
    async register(instance, opts?: CallOptions) {
      checkInstance(instance);
      const key = keyOf(instance);
      const old = registrations.get(key);
      // The old registration's renewal in flight lands first: it must not overwrite or bring back
      // what this registration writes or removes.
      await stopReg(old);
      const serviceVersion = versionOf(instance);
      const serviceId = await ensureService(instance, serviceVersion, opts?.signal);
      // Registered again under another version: the instance leaves the old microservice.
      if (old && old.serviceId !== serviceId) await removeInstance(old.serviceId, instance.id, opts?.signal);
      const reg: Registration = {
        instance: structuredClone(instance),
        serviceId,
        serviceVersion,
        heartbeat: undefined,
        stopped: false,
      };
      registrations.set(key, reg);
      try {
        await putInstance(reg, opts?.signal);
      } catch (e) {
        void stopReg(reg);
        if (registrations.get(key) === reg) registrations.delete(key);
        throw e;
      }
      if (!reg.stopped) reg.heartbeat = heartbeat(reg);
    },
    async deregister(instance, opts?: CallOptions) {
      checkInstance(instance);
      const key = keyOf(instance);
      const reg = registrations.get(key);
      const stopping = stopReg(reg);
      registrations.delete(key);
      // A renewal in flight (re-registering a record the server forgot) must land before the delete.
      await stopping;
      let serviceId = reg?.serviceId;
      if (!serviceId) {
        try {
          serviceId = await existence(instance.name, versionOf(instance), opts?.signal);
        } catch (e) {
          if (isCode(e, SERVICE_MISSING)) return;
          throw e;
        }
      }
      await removeInstance(serviceId, instance.id, opts?.signal);
    },
    async getService(name, opts?: CallOptions) {
      if (!name) throw new TypeError('getService needs a service name');
      return fetchService(name, opts?.signal);
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
  } satisfies ServiceCombRegistry;
}
