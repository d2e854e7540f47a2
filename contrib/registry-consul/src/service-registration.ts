import type { ServiceInstance } from '@kratos/core';
import { goJson, goStringMapJson } from '@kratos/core/adapter';
import { joinHostPort, splitEndpoint } from '@kratos/core/transport';

/** Settings that shape the registration body, as Go Kratos' consul `Client` fields. */
export interface RegistrationSettings {
  /** TCP check per endpoint. */
  healthCheck: boolean;
  /** TTL heartbeat check `service:<id>`. */
  heartbeat: boolean;
  /** Seconds; the TTL is twice this. */
  healthCheckInterval: number;
  /** Seconds. */
  deregisterCriticalServiceAfter: number;
  /** Extra checks in Consul's API shape (`{ HTTP, Interval, ... }`), after the TCP checks. */
  serviceChecks: readonly Record<string, unknown>[];
  /** Extra tags after `version=<v>`. */
  tags: readonly string[];
}

/** `host:port` as Go's net.JoinHostPort. */
/** An endpoint URL split as Go's url.Parse + Hostname() + Port() do (no port written: 0). */
export function parseEndpoint(endpoint: string): { scheme: string; host: string; port: number } {
  const { scheme, host, port } = splitEndpoint(endpoint);
  return { scheme, host, port: port === '' ? 0 : Number(port) };
}

/**
 * The body of `PUT /v1/agent/service/register` byte for byte as Go Kratos' consul registry sends it
 * (`json.Marshal(api.AgentServiceRegistration)`: Go field order, omitempty, sorted maps, `"Check":null`).
 */
export function serviceRegistrationJson(instance: ServiceInstance, s: RegistrationSettings): string {
  const tagged: Record<string, { Address: string; Port: number }> = {};
  const checkAddresses: string[] = [];
  for (const endpoint of instance.endpoints) {
    const { scheme, host, port } = parseEndpoint(endpoint);
    checkAddresses.push(joinHostPort(host, port));
    tagged[scheme] = { Address: endpoint, Port: port };
  }
  const parts: string[] = [];
  parts.push(`"ID":${goJson(instance.id)}`, `"Name":${goJson(instance.name)}`);
  parts.push(`"Tags":${goJson([`version=${instance.version}`, ...s.tags])}`);
  const first = instance.endpoints[0] ? parseEndpoint(instance.endpoints[0]) : undefined;
  if (first?.port) parts.push(`"Port":${first.port}`);
  if (first?.host) parts.push(`"Address":${goJson(first.host)}`);
  const schemes = Object.keys(tagged).sort();
  if (schemes.length > 0) {
    parts.push(
      `"TaggedAddresses":{${schemes.map((k) => `${goJson(k)}:{"Address":${goJson(tagged[k]!.Address)},"Port":${tagged[k]!.Port}}`).join(',')}}`,
    );
  }
  if (Object.keys(instance.metadata ?? {}).length > 0)
    parts.push(`"Meta":${goStringMapJson(instance.metadata)}`);
  parts.push('"Check":null');
  const checks: string[] = [];
  const interval = `${s.healthCheckInterval}s`;
  const deregisterAfter = `${s.deregisterCriticalServiceAfter}s`;
  if (s.healthCheck) {
    for (const address of checkAddresses) {
      checks.push(
        `{"Interval":${goJson(interval)},"Timeout":"5s","TCP":${goJson(address)},"DeregisterCriticalServiceAfter":${goJson(deregisterAfter)}}`,
      );
    }
    for (const c of s.serviceChecks) checks.push(goJson(c));
  }
  if (s.heartbeat) {
    checks.push(
      `{"CheckID":${goJson(`service:${instance.id}`)},"TTL":${goJson(`${s.healthCheckInterval * 2}s`)},"DeregisterCriticalServiceAfter":${goJson(deregisterAfter)}}`,
    );
  }
  parts.push(`"Checks":${checks.length > 0 ? `[${checks.join(',')}]` : 'null'}`);
  return `{${parts.join(',')}}`;
}

/** What Consul's health endpoint returns per instance (the fields read here). */
export interface ConsulServiceEntry {
  Service?: {
    ID?: unknown;
    Service?: unknown;
    Tags?: unknown;
    Meta?: unknown;
    TaggedAddresses?: unknown;
    Address?: unknown;
    Port?: unknown;
  };
}

const skippedAddressKinds = new Set(['lan_ipv4', 'wan_ipv4', 'lan_ipv6', 'wan_ipv6']);

/**
 * Go Kratos' `defaultResolver`: version from the `version=` tag, endpoints from the tagged addresses
 * (except Consul's own lan/wan ones), else `http://Address:Port`. Go takes the map's random order;
 * here the endpoint at the service's Address:Port (Go writes the first endpoint there) comes first,
 * then the others by scheme. Throws a TypeError for an entry that is not a service record.
 */
export function instanceFromEntry(entry: ConsulServiceEntry): ServiceInstance {
  const svc = entry?.Service;
  if (!svc || typeof svc !== 'object') throw new TypeError('entry has no Service');
  if (typeof svc.ID !== 'string' || svc.ID === '') throw new TypeError('service has no ID');
  if (typeof svc.Service !== 'string' || svc.Service === '') throw new TypeError('service has no name');
  let version = '';
  if (Array.isArray(svc.Tags)) {
    for (const tag of svc.Tags) {
      if (typeof tag !== 'string') continue;
      const i = tag.indexOf('=');
      if (i > 0 && tag.slice(0, i) === 'version') version = tag.slice(i + 1);
    }
  }
  const metadata: Record<string, string> = {};
  if (svc.Meta && typeof svc.Meta === 'object') {
    for (const [k, v] of Object.entries(svc.Meta)) metadata[k] = String(v);
  }
  const address = typeof svc.Address === 'string' ? svc.Address : '';
  const port = typeof svc.Port === 'number' ? svc.Port : 0;
  const tagged: Array<{ scheme: string; url: string; port: unknown }> = [];
  if (svc.TaggedAddresses && typeof svc.TaggedAddresses === 'object') {
    for (const [scheme, a] of Object.entries(svc.TaggedAddresses as Record<string, unknown>)) {
      if (skippedAddressKinds.has(scheme)) continue;
      const url = (a as { Address?: unknown })?.Address;
      if (typeof url !== 'string' || url === '')
        throw new TypeError(`tagged address "${scheme}" has no Address`);
      tagged.push({ scheme, url, port: (a as { Port?: unknown }).Port });
    }
  }
  tagged.sort((a, b) => (a.scheme < b.scheme ? -1 : a.scheme > b.scheme ? 1 : 0));
  const atServiceAddress = (t: (typeof tagged)[number]) => {
    if (t.port !== port) return false;
    try {
      return parseEndpoint(t.url).host === address;
    } catch {
      return false;
    }
  };
  const firstIndex = tagged.findIndex(atServiceAddress);
  if (firstIndex > 0) tagged.unshift(...tagged.splice(firstIndex, 1));
  const endpoints = tagged.map((t) => t.url);
  if (endpoints.length === 0 && address !== '' && port !== 0)
    endpoints.push(`http://${joinHostPort(address, port)}`);
  return { id: svc.ID, name: svc.Service, version, metadata, endpoints };
}
