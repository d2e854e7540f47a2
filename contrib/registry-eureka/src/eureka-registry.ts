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
import { appIdOf, type EurekaInstance, eurekaRecords, instancesFromEureka } from './instances.ts';

/** Options of {@link createEurekaRegistry} (Go Kratos' eureka `New(urls, opts...)`). */
export interface EurekaRegistryOptions {
  /** Eureka servers, e.g. `http://127.0.0.1:8761` (Go's `eurekaUrls`). A failed call tries the next. Required. */
  endpoints: string[];
  /** Path of the REST API under each server (Go's `WithEurekaPath`). Default `eureka/v2`, as Go; Spring Cloud's server uses `eureka`. */
  path?: string;
  /** ms between heartbeats of each record (Go's `WithHeartbeat`). Default 10000. */
  heartbeatInterval?: number;
  /** ms between reads of a watched service (Go's `WithRefresh`). Default 30000. */
  refreshInterval?: number;
  /**
   * Seconds the server keeps a record without a heartbeat, sent as `leaseInfo.durationInSecs`
   * (with `renewalIntervalInSecs` from `heartbeatInterval`). Default: not sent, the server's 90 s apply.
   */
  leaseDuration?: number;
  /** Bound of one HTTP call in ms (Go's `httpTimeout`). Default 3000. */
  timeout?: number;
  /** `fetch` to use (proxies, TLS, tests). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A Eureka registrar and discovery. */
export interface EurekaRegistry extends Registrar, Discovery {
  /** Number of backend watches running (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops heartbeats (the server expires the records after their lease) and watches; deregisters nothing. */
  close(): Promise<void>;
}

interface Registration {
  records: EurekaInstance[];
  heartbeat: Heartbeat | undefined;
  stopped: boolean;
}

/** Per-call options of the registry operations (core's `RegistryCallOptions`). */
interface CallOptions {
  signal?: AbortSignal;
}

class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, what: string) {
    super(`eureka ${what} answered HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

/**
 * Go Kratos' Eureka registry over Eureka's REST API: one record per endpoint under the upper-cased
 * service name, a heartbeat per record every 10 s (registering it again when the server has
 * forgotten it), deletion on deregister; discovery of the UP records, joined back into one instance
 * per Kratos id, and watches that re-read the application every `refreshInterval`.
 */
export function createEurekaRegistry(options: EurekaRegistryOptions): EurekaRegistry {
  const o = options ?? ({} as EurekaRegistryOptions);
  checkEndpointUrls('eureka', o.endpoints);
  const heartbeatMs = positiveOption(o.heartbeatInterval, 10_000, 'heartbeatInterval');
  const refreshMs = positiveOption(o.refreshInterval, 30_000, 'refreshInterval');
  const timeout = positiveOption(o.timeout, 3000, 'timeout');
  const lease =
    o.leaseDuration === undefined
      ? undefined
      : {
          renewalIntervalInSecs: Math.max(1, Math.round(heartbeatMs / 1000)),
          durationInSecs: positiveOption(o.leaseDuration, 90, 'leaseDuration'),
        };
  const path = (o.path ?? 'eureka/v2').replace(/^\/+|\/+$/g, '');
  const doFetch = o.fetch ?? fetch;
  const log = createLogHelper(o.logger ?? defaultLogger());
  const registrations = new Map<string, Registration>();
  // The first server first; a call that cannot connect moves on to the next, and later calls stay there.
  let serverIndex = 0;

  /** One call; a transport failure moves to the next server and tries it, each server once. */
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    parts: string[],
    what: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Response> => {
    let lastError: unknown;
    for (let i = 0; i < o.endpoints.length; i++) {
      signal?.throwIfAborted();
      const base = o.endpoints[serverIndex % o.endpoints.length]!.replace(/\/+$/, '');
      const url = [base, path, ...parts.map(encodeURIComponent)].join('/');
      const bound = AbortSignal.timeout(timeout);
      try {
        const res = await doFetch(url, {
          method,
          headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: signal ? AbortSignal.any([signal, bound]) : bound,
        });
        return res;
      } catch (e) {
        lastError = e;
        if (signal?.aborted) throw e;
        serverIndex++;
      }
    }
    throw new Error(`eureka ${what} failed on every server: ${(lastError as Error)?.message ?? lastError}`, {
      cause: lastError,
    });
  };
  const expectOk = async (res: Response, what: string): Promise<void> => {
    await res.body?.cancel();
    if (res.status !== 200 && res.status !== 204) throw new HttpStatusError(res.status, what);
  };

  const put = async (record: EurekaInstance, signal?: AbortSignal) => {
    const res = await call(
      'POST',
      ['apps', record.app],
      `register of ${record.instanceId}`,
      { instance: record },
      signal,
    );
    await expectOk(res, `register of ${record.instanceId}`);
  };
  const remove = async (app: string, instanceId: string, signal?: AbortSignal) => {
    const res = await call('DELETE', ['apps', app, instanceId], `delete of ${instanceId}`, undefined, signal);
    await res.body?.cancel();
    // 404: the server does not know it (never registered, expired, or a restarted server).
    if (res.status !== 200 && res.status !== 204 && res.status !== 404) {
      throw new HttpStatusError(res.status, `delete of ${instanceId}`);
    }
  };

  const heartbeat = (reg: Registration) =>
    startHeartbeat({
      backend: 'eureka',
      intervalMs: heartbeatMs,
      log,
      fields: ['instance', reg.records.map((r) => r.instanceId).join(',')],
      // Every record is renewed even when one fails; the beat fails with the first error.
      beat: async (stopped) => {
        let failure: unknown;
        for (const record of reg.records) {
          if (stopped()) return;
          try {
            const res = await call('PUT', ['apps', record.app, record.instanceId], 'heartbeat');
            await res.body?.cancel();
            if (res.status === 404) {
              log.warnw(
                'msg',
                'eureka forgot the instance, registering again',
                'instance',
                record.instanceId,
              );
              if (!stopped()) await put(record);
            } else if (res.status !== 200 && res.status !== 204) {
              throw new HttpStatusError(res.status, 'heartbeat');
            }
          } catch (e) {
            failure ??= e;
          }
        }
        if (failure !== undefined) throw failure;
      },
    });

  const fetchService = async (name: string, signal?: AbortSignal): Promise<ServiceInstance[]> => {
    const app = appIdOf(name);
    const res = await call('GET', ['apps', app], `read of ${app}`, undefined, signal);
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new HttpStatusError(res.status, `read of ${app}`);
    }
    let body: { application?: { instance?: unknown } };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new Error(`eureka read of ${app} answered something that is not JSON`);
    }
    const list = body?.application?.instance;
    // Eureka's JSON writes a one-element list as a bare object in some codecs.
    const records = Array.isArray(list) ? list : list && typeof list === 'object' ? [list] : [];
    // Names that differ only in case share one Eureka app: keep the asked one's.
    return instancesFromEureka(records, name).filter((i) => i.name === name);
  };

  // One backend watch per watched service, shared by its watchers: a re-read every refreshInterval.
  const watches = createServiceWatches({
    backend: 'eureka',
    open: (name, fan) =>
      createPollingWatch({
        backend: 'eureka',
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
      const records = eurekaRecords(instance, lease ? { lease } : {});
      const key = keyOf(instance);
      const old = registrations.get(key);
      // The old registration's renewal in flight lands first: it must not overwrite or bring back
      // what this registration writes or removes.
      await stopReg(old);
      // Records of the previous registration on endpoints this one no longer has.
      const now = new Set(records.map((r) => r.instanceId));
      for (const r of old?.records ?? []) {
        if (!now.has(r.instanceId)) await remove(r.app, r.instanceId, opts?.signal);
      }
      const reg: Registration = { records, heartbeat: undefined, stopped: false };
      registrations.set(key, reg);
      try {
        for (const r of records) await put(r, opts?.signal);
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
      const records = reg?.records ?? eurekaRecords(instance);
      for (const r of records) await remove(r.app, r.instanceId, opts?.signal);
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
  } satisfies EurekaRegistry;
}
