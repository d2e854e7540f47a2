import { hostname as osHostname } from 'node:os';
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
  pause,
  repeatWithBackoff,
  type ServiceWatchBackend,
} from '@kratos/core/adapter';
import { type DiscoveryInstance, instanceFromDiscovery, registerParams } from './instances.ts';

/** Options of {@link createDiscoveryRegistry} (Go Kratos' discovery `Config` plus settings). */
export interface DiscoveryRegistryOptions {
  /** Discovery nodes, `host:port` (Go's `Nodes`). Required. */
  nodes: string[];
  /** Region (Go's `Region`). Required. */
  region: string;
  /** Zone; discovery returns this zone's instances (Go's `Zone`). Required. */
  zone: string;
  /** Deploy environment (Go's `Env`). Required. */
  env: string;
  /**
   * Hostname an instance registers under (Go's `Host`, one per process; discovery keys instances by
   * appid + hostname). A function gives each instance its own. Default: the OS hostname.
   */
  host?: string | ((instance: ServiceInstance) => string);
  /** Seconds between renewals. Default 30, as Go. */
  renewInterval?: number;
  /** ms between plain reads of a watched service, besides the long polls. Default 5000. */
  resyncInterval?: number;
  /** `fetch` to use (a client with proxies, TLS, ...). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Bound of a non-polling call in ms. Default 10000. */
  timeout?: number;
  /** Default: core's default logger. */
  logger?: Logger;
}

/** A bilibili discovery registrar and discovery. */
export interface DiscoveryRegistry extends Registrar, Discovery {
  /** Number of long-poll loops running (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops renewals (the node drops instances it no longer hears from) and watches; cancels nothing. */
  close(): Promise<void>;
}

/** JSON.parse keeping the nanosecond `latest_timestamp`s exact (they exceed 2^53). */
const parseExact = (text: string): unknown =>
  JSON.parse(text, (key, value, ctx?: { source?: string }) =>
    key === 'latest_timestamp' && typeof value === 'number' && ctx?.source ? ctx.source : value,
  );

interface Registration {
  params: URLSearchParams;
  timer: ReturnType<typeof setTimeout> | undefined;
  stopped: boolean;
}

/**
 * Go Kratos' bilibili discovery registry over discovery's HTTP API: register + renew every 30 s
 * (registering again when the node forgot the instance), cancel on deregister; discovery of the
 * configured zone through long polls shared by every watcher of a service.
 */
export function createDiscoveryRegistry(options: DiscoveryRegistryOptions): DiscoveryRegistry {
  const o = options ?? ({} as DiscoveryRegistryOptions);
  if (!Array.isArray(o.nodes) || o.nodes.length === 0 || !o.region || !o.zone || !o.env) {
    throw new TypeError(
      `invalid discovery config nodes:${JSON.stringify(o.nodes)} region:${o.region} zone:${o.zone} env:${o.env} (all required)`,
    );
  }
  const renewMs = (o.renewInterval ?? 30) * 1000;
  if (!(renewMs > 0))
    throw new TypeError(`renewInterval must be a positive number of seconds, got ${o.renewInterval}`);
  const timeout = o.timeout ?? 10_000;
  if (!(timeout > 0)) throw new TypeError(`timeout must be a positive number of ms, got ${timeout}`);
  const doFetch = o.fetch ?? fetch;
  const resyncMs = o.resyncInterval ?? 5000;
  if (!(resyncMs > 0)) throw new TypeError(`resyncInterval must be a positive number of ms, got ${resyncMs}`);
  const log = createLogHelper(o.logger ?? defaultLogger());
  const hostOf = (i: ServiceInstance) =>
    typeof o.host === 'function' ? o.host(i) : (o.host ?? osHostname());
  const registrations = new Map<string, Registration>();
  let nodeIndex = Math.floor(Math.random() * o.nodes.length);
  const node = () => o.nodes[nodeIndex % o.nodes.length]!;
  const switchNode = () => {
    nodeIndex++;
  };

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    params: URLSearchParams,
    ms: number,
    signal?: AbortSignal,
  ): Promise<{ code: number; data?: unknown }> => {
    const url = `http://${node()}${path}?${params}`;
    const bound = AbortSignal.timeout(ms);
    let res: Response;
    try {
      res = await doFetch(url, { method, signal: signal ? AbortSignal.any([signal, bound]) : bound });
    } catch (e) {
      switchNode();
      throw new Error(`discovery ${path} at ${node()} failed: ${(e as Error).message}`, { cause: e });
    }
    const text = await res.text();
    let body: { code?: unknown; data?: unknown };
    try {
      body = parseExact(text) as typeof body;
    } catch {
      throw new Error(`discovery ${path} answered ${res.status} with something that is not JSON`);
    }
    if (typeof body?.code !== 'number') throw new Error(`discovery ${path} answered without a code`);
    return { code: body.code, data: body.data };
  };

  const ownParams = (instance: ServiceInstance) => {
    const p = new URLSearchParams();
    p.set('region', o.region);
    p.set('zone', o.zone);
    p.set('env', o.env);
    p.set('hostname', hostOf(instance));
    p.set('appid', instance.name);
    return p;
  };

  const register = async (params: URLSearchParams) => {
    const r = await call('POST', '/discovery/register', params, timeout);
    if (r.code !== 0) throw new Error(`discovery register answered code ${r.code}`);
  };

  const renewLoop = (reg: Registration, renewParams: URLSearchParams) => {
    reg.timer = setTimeout(async () => {
      if (reg.stopped) return;
      try {
        const r = await call('POST', '/discovery/renew', renewParams, timeout);
        if (r.code === -404) {
          log.warnw(
            'msg',
            'discovery forgot the instance, registering again',
            'appid',
            renewParams.get('appid'),
          );
          await register(reg.params);
        } else if (r.code !== 0) {
          log.errorw('msg', 'discovery renew answered an error code', 'code', r.code);
        }
      } catch (e) {
        log.errorw(
          'msg',
          'discovery renew failed',
          'appid',
          renewParams.get('appid'),
          'error',
          (e as Error).message,
        );
      }
      if (!reg.stopped) renewLoop(reg, renewParams);
    }, renewMs);
  };

  const toInstances = (info: unknown, name: string): ServiceInstance[] => {
    const zones = (info as { instances?: Record<string, unknown> } | null)?.instances;
    const list = zones?.[o.zone];
    const out: ServiceInstance[] = [];
    for (const ins of Array.isArray(list) ? list : []) {
      try {
        const inst = instanceFromDiscovery(ins as DiscoveryInstance);
        if (inst.name === name) out.push(inst);
      } catch (e) {
        log.warnw(
          'msg',
          'skipping a discovery record that is not an instance',
          'appid',
          name,
          'error',
          (e as Error).message,
        );
      }
    }
    return out;
  };

  const fetchService = async (name: string) => {
    const p = new URLSearchParams({ appid: name, env: o.env, status: '1' });
    const r = await call('GET', '/discovery/fetch', p, timeout);
    if (r.code === -404) return [];
    if (r.code !== 0) throw new Error(`discovery fetch of ${name} answered code ${r.code}`);
    return toInstances(r.data, name);
  };

  // One backend watch per watched service, shared by its watchers.
  const watches = createServiceWatches({ backend: 'discovery', open: (name, fan) => openWatch(name, fan) });
  const openWatch = (name: string, fan: Fanout<ServiceInstance[]>): ServiceWatchBackend => {
    const ctl = new AbortController();
    const publish = createChangePublisher(fan);
    // Long polls report additions and changes; a node does not report an app going empty (Go skips
    // empty sets too), so a plain fetch every `resyncInterval` catches that.
    const resync = setInterval(() => {
      fetchService(name).then(publish, () => {});
    }, resyncMs);
    const stop = () => {
      clearInterval(resync);
      ctl.abort();
    };
    const first = fetchService(name).then(publish);
    void first.then(
      () => {
        let lastTs = '0';
        const outage = createOutageLog('discovery', log, ['appid', name]);
        return repeatWithBackoff(
          async () => {
            const p = new URLSearchParams({
              env: o.env,
              hostname: typeof o.host === 'string' ? o.host : osHostname(),
            });
            p.append('appid', name);
            p.append('latest_timestamp', lastTs);
            let r: Awaited<ReturnType<typeof call>>;
            try {
              // The node holds a poll up to 30 s; Go's client waits 40 s.
              r = await call('GET', '/discovery/polls', p, 40_000, ctl.signal);
            } catch (e) {
              lastTs = '0';
              throw e;
            }
            outage.recovered();
            if (r.code === 0) {
              const info = (r.data as Record<string, { latest_timestamp?: unknown }> | null)?.[name];
              if (info) {
                lastTs = String(info.latest_timestamp ?? '0');
                publish(toInstances(info, name));
              }
            } else if (r.code === -404) {
              publish([]);
              lastTs = '0';
              await pause(1000, ctl.signal);
            } else if (r.code !== -304) {
              lastTs = '0';
              throw new Error(`discovery polls answered code ${r.code}`);
            }
          },
          {
            signal: ctl.signal,
            // A steady 1 s between failed polls, as before.
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
  const keyOf = (i: ServiceInstance) => `${i.name}\u0000${hostOf(i)}`;

  const cancel = async (instance: ServiceInstance) => {
    const r = await call('POST', '/discovery/cancel', ownParams(instance), timeout);
    if (r.code !== 0 && r.code !== -404) throw new Error(`discovery cancel answered code ${r.code}`);
  };

  return {
    async register(instance) {
      check(instance);
      const key = keyOf(instance);
      const old = registrations.get(key);
      if (old) {
        old.stopped = true;
        clearTimeout(old.timer);
      }
      const reg: Registration = {
        params: registerParams(instance, {
          region: o.region,
          zone: o.zone,
          env: o.env,
          hostname: hostOf(instance),
        }),
        timer: undefined,
        stopped: false,
      };
      registrations.set(key, reg);
      try {
        await register(reg.params);
      } catch (e) {
        if (registrations.get(key) === reg) registrations.delete(key);
        throw e;
      }
      renewLoop(reg, ownParams(instance));
    },
    async deregister(instance) {
      check(instance);
      const key = keyOf(instance);
      const reg = registrations.get(key);
      if (reg) {
        reg.stopped = true;
        clearTimeout(reg.timer);
        registrations.delete(key);
      }
      await cancel(instance);
    },
    async getService(name) {
      if (!name) throw new TypeError('getService needs a service name');
      return fetchService(name);
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
        clearTimeout(reg.timer);
      }
      registrations.clear();
      await watches.close();
    },
  } satisfies DiscoveryRegistry;
}
