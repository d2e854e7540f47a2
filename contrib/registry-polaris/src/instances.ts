// Kratos service instances as Polaris instances and back, as Go Kratos' Polaris registry maps them.
import type { ServiceInstance } from '@kratos/core';
import { splitEndpoint } from '@kratos/core/transport';

/** One Polaris instance as the open API takes and answers it (the fields used here). */
export interface PolarisInstance {
  id?: string | null;
  service?: string | null;
  namespace?: string | null;
  host?: string | null;
  port?: number | null;
  protocol?: string | null;
  version?: string | null;
  priority?: number | null;
  weight?: number | null;
  enable_health_check?: boolean;
  health_check?: { type: number; heartbeat: { ttl: number } };
  healthy?: boolean | null;
  isolate?: boolean | null;
  metadata?: Record<string, string> | null;
  service_token?: string;
}

interface Endpoint {
  scheme: string;
  host: string;
  port: number;
}

function parseEndpoint(endpoint: string): Endpoint {
  const { scheme, host, port: written } = splitEndpoint(endpoint);
  const port = Number(written);
  if (!host || !written || !Number.isInteger(port) || port <= 0) {
    throw new TypeError(`endpoint ${JSON.stringify(endpoint)} needs a host and a port`);
  }
  return { scheme, host, port };
}

/** Settings {@link polarisInstancesOf} needs (the registry's resolved options). */
export interface PolarisInstanceSettings {
  namespace: string;
  serviceToken?: string;
  protocol?: string;
  weight: number;
  priority: number;
  healthy: boolean;
  isolate: boolean;
  /** Seconds; 0 = no heartbeat health check. */
  ttl: number;
}

/**
 * Go's Register: one Polaris instance per endpoint in the service `<name><scheme>`, host and port
 * from the endpoint, metadata = the instance's plus `kind` = scheme and `version`; with a TTL the
 * heartbeat health check on (as polaris-go sends it). A TLS server's `grpcs://` / `https://`
 * endpoint goes to `<name>grpcs` / `<name>https` with that kind, as Go's does; Polaris keeps no
 * query, so the scheme is what tells discovery the endpoint is TLS.
 */
export function polarisInstancesOf(instance: ServiceInstance, s: PolarisInstanceSettings): PolarisInstance[] {
  return instance.endpoints.map((e) => {
    const { scheme, host, port } = parseEndpoint(e);
    const out: PolarisInstance = {
      service: `${instance.name}${scheme}`,
      namespace: s.namespace,
      host,
      port,
      version: instance.version,
      priority: s.priority,
      weight: s.weight,
      healthy: s.healthy,
      isolate: s.isolate,
      metadata: { ...instance.metadata, kind: scheme, version: instance.version },
    };
    if (s.protocol !== undefined) out.protocol = s.protocol;
    if (s.serviceToken) out.service_token = s.serviceToken;
    if (s.ttl > 0) {
      out.enable_health_check = true;
      out.health_check = { type: 1, heartbeat: { ttl: s.ttl } };
    }
    return out;
  });
}

/**
 * Go's instanceToServiceInstance: id = the Polaris id, name = the Polaris service, version from
 * metadata `version`, metadata as stored, endpoint `<kind>://host:port`. An instance without a
 * `kind` (not registered by Kratos) falls back to its Polaris `protocol`; without either, or
 * without host/port, it is not an instance for Kratos: throws a TypeError.
 */
export function instanceFromPolaris(ins: PolarisInstance): ServiceInstance {
  if (!ins || typeof ins !== 'object') throw new TypeError('not an object');
  if (typeof ins.host !== 'string' || ins.host === '') throw new TypeError('instance has no host');
  if (typeof ins.port !== 'number' || !(ins.port > 0)) throw new TypeError('instance has no port');
  const metadata: Record<string, string> = {};
  if (ins.metadata && typeof ins.metadata === 'object') {
    for (const [k, v] of Object.entries(ins.metadata)) metadata[k] = String(v);
  }
  const kind = metadata.kind || ins.protocol || '';
  if (!/^[a-z][a-z0-9+.-]*$/i.test(kind)) {
    throw new TypeError(`instance has no usable kind (metadata "kind" or protocol): ${JSON.stringify(kind)}`);
  }
  const host = ins.host.includes(':') ? `[${ins.host}]` : ins.host;
  return {
    id: String(ins.id ?? ''),
    name: String(ins.service ?? ''),
    version: metadata.version ?? '',
    metadata,
    endpoints: [`${kind}://${host}:${ins.port}`],
  };
}
