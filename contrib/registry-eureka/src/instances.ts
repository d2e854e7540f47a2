// Kratos service instances as Eureka instance records, and records read back, as Go Kratos'
// contrib/registry/eureka maps them: one Eureka instance per endpoint, under the upper-cased name.
import type { ServiceInstance } from '@kratos/core';

/** Metadata keys Go Kratos adds to every record (and reads the Kratos instance back from). */
export const ID_KEY = 'ID';
export const NAME_KEY = 'Name';
export const VERSION_KEY = 'Version';
export const ENDPOINT_KEY = 'Endpoints';
export const AGENT_KEY = 'agent';
/** Added here (Go ignores it): every endpoint of the instance, in order, as a JSON list. */
export const ENDPOINTS_KEY = 'kratos.endpoints';
const RESERVED = new Set([ID_KEY, NAME_KEY, VERSION_KEY, ENDPOINT_KEY, AGENT_KEY, ENDPOINTS_KEY]);

/** A port as Eureka's JSON writes it. */
export interface EurekaPort {
  $: number;
  '@enabled': string;
}

/** One Eureka instance record (the fields written and read here). */
export interface EurekaInstance {
  instanceId: string;
  hostName: string;
  app: string;
  ipAddr: string;
  vipAddress: string;
  status: string;
  port: EurekaPort;
  securePort: EurekaPort;
  homePageUrl: string;
  statusPageUrl: string;
  healthCheckUrl: string;
  dataCenterInfo: { name: string; '@class': string };
  metadata: Record<string, string>;
  leaseInfo?: { renewalIntervalInSecs: number; durationInSecs: number };
}

/** Go's `ToAppID`: Eureka application names are upper case. */
export const appIdOf = (name: string): string => name.toUpperCase();

function hostPort(endpoint: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port);
  if (!host || !url.port || !(port > 0)) throw new TypeError(`endpoint ${endpoint} has no host:port`);
  return { host, port };
}

/** Extra settings of the records (leases). */
export interface RecordOptions {
  /** Seconds, sent as `leaseInfo` when given (Go sends none: the server's 30/90 s apply). */
  lease?: { renewalIntervalInSecs: number; durationInSecs: number };
}

/**
 * Go's `Endpoints(service)`: per endpoint, app = upper-cased name, ipAddr/port from the URL,
 * instanceId `ip:APP:port`, hostName = vipAddress = app, securePort 443 (or metadata `securePort`),
 * home/status/health URLs `<ep>/`, `<ep>/info`, `<ep>/health` (or metadata `homePageURL`, ...), and
 * metadata = the instance's plus ID, Name, Version, Endpoints (this endpoint), agent.
 */
export function eurekaRecords(instance: ServiceInstance, options: RecordOptions = {}): EurekaInstance[] {
  const app = appIdOf(instance.name);
  const md = instance.metadata ?? {};
  return instance.endpoints.map((ep) => {
    const { host, port } = hostPort(ep);
    const securePort = md.securePort !== undefined ? Number.parseInt(md.securePort, 10) || 0 : 443;
    const record: EurekaInstance = {
      instanceId: `${host}:${app}:${port}`,
      hostName: app,
      port: { $: port, '@enabled': 'true' },
      app,
      ipAddr: host,
      vipAddress: app,
      status: 'UP',
      securePort: { $: securePort, '@enabled': 'false' },
      homePageUrl: md.homePageURL ?? `${ep}/`,
      statusPageUrl: md.statusPageURL ?? `${ep}/info`,
      healthCheckUrl: md.healthCheckURL ?? `${ep}/health`,
      dataCenterInfo: { name: 'MyOwn', '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo' },
      metadata: {
        ...md,
        [ID_KEY]: instance.id,
        [NAME_KEY]: instance.name,
        [VERSION_KEY]: instance.version,
        [ENDPOINT_KEY]: ep,
        [AGENT_KEY]: 'go-eureka-client',
        ...(instance.endpoints.length > 1 ? { [ENDPOINTS_KEY]: JSON.stringify(instance.endpoints) } : {}),
      },
    };
    if (options.lease) record.leaseInfo = { ...options.lease };
    return record;
  });
}

/**
 * Go's reader: every UP record is a Kratos instance with id, name, version and endpoint from its
 * metadata. Records of one id are joined into one instance (Go returns one per endpoint), endpoints
 * in registration order; metadata without the keys Go adds. Records without an `ID` (apps that are
 * not Kratos) get `instanceId` as id, `name` (default: the app name in lower case) as name and
 * `http://ipAddr:port` as endpoint.
 */
export function instancesFromEureka(records: unknown[], name?: string): ServiceInstance[] {
  const byId = new Map<string, { inst: ServiceInstance; order?: string[] }>();
  for (const r of records) {
    if (!r || typeof r !== 'object') continue;
    const rec = r as Partial<EurekaInstance>;
    if (rec.status !== undefined && rec.status !== 'UP') continue;
    const raw = rec.metadata && typeof rec.metadata === 'object' ? rec.metadata : {};
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) md[k] = String(v);
    const id = md[ID_KEY] || rec.instanceId;
    if (!id) continue;
    const endpoint =
      md[ENDPOINT_KEY] ||
      (rec.ipAddr && rec.port ? `http://${rec.ipAddr}:${(rec.port as EurekaPort).$}` : undefined);
    const seen = byId.get(id);
    if (seen) {
      if (endpoint && !seen.inst.endpoints.includes(endpoint)) seen.inst.endpoints.push(endpoint);
      continue;
    }
    let order: string[] | undefined;
    try {
      const list = md[ENDPOINTS_KEY] ? (JSON.parse(md[ENDPOINTS_KEY]) as unknown) : undefined;
      if (Array.isArray(list)) order = list.map(String);
    } catch {
      order = undefined;
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(md)) if (!RESERVED.has(k)) metadata[k] = v;
    byId.set(id, {
      inst: {
        id,
        name: md[NAME_KEY] ?? name ?? String(rec.app ?? '').toLowerCase(),
        version: md[VERSION_KEY] ?? '',
        metadata,
        endpoints: endpoint ? [endpoint] : [],
      },
      order,
    });
  }
  const out: ServiceInstance[] = [];
  for (const { inst, order } of byId.values()) {
    if (order) {
      const rank = (e: string) => {
        const i = order.indexOf(e);
        return i < 0 ? order.length : i;
      };
      inst.endpoints.sort((a, b) => rank(a) - rank(b));
    }
    out.push(inst);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
