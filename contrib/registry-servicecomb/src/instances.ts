// Kratos service instances as ServiceComb service-center records, and records read back, as Go
// Kratos' contrib/registry/servicecomb maps them.
import type { ServiceInstance } from '@kratos/core';

/** Property keys Go Kratos sets on every instance. */
export const APP_ID_KEY = 'appId';
export const ENV_KEY = 'environment';
/**
 * Added here (Go has no such key): the Kratos version when service-center could not take it as the
 * microservice version (it accepts only `x[.y[.z[.w]]]`, each 0-32767).
 */
export const VERSION_KEY = 'kratos.version';

/** The microservice Go Kratos creates (`POST /v4/{project}/registry/microservices`). */
export interface ServiceCombMicroService {
  serviceName: string;
  appId: string;
  version: string;
  environment: string;
  framework: { name: string; version: string };
}

/** One instance record (the fields written and read here). */
export interface ServiceCombInstance {
  instanceId: string;
  serviceId: string;
  endpoints: string[];
  hostName: string;
  status?: string;
  properties: Record<string, string>;
  version?: string;
  healthCheck?: { mode: string; interval: number; times: number };
}

const VALID = /^\d+(\.\d+){0,3}$/;
const inRange = (v: string) => v.split('.').every((p) => Number(p) <= 32767);

/**
 * The microservice version for a Kratos version: the version itself when service-center accepts it
 * (as Go sends it), else its leading `x.y.z` without a `v` (`v2.3.4-rc.1` -> `2.3.4`), else `0.0.0`.
 */
export function serviceCombVersion(version: string): string {
  if (VALID.test(version) && inRange(version)) return version;
  const m = /^v?(\d+(?:\.\d+){0,3})/.exec(version);
  if (m?.[1] && inRange(m[1])) return m[1];
  return '0.0.0';
}

/** Go's `Register`: the microservice (name, app id, version, environment, framework kratos/v2). */
export function microService(
  instance: ServiceInstance,
  c: { appId: string; environment: string; version?: string },
): ServiceCombMicroService {
  return {
    serviceName: instance.name,
    appId: c.appId,
    version: c.version ?? serviceCombVersion(instance.version),
    environment: c.environment,
    framework: { name: 'kratos', version: 'v2' },
  };
}

/**
 * Go's instance: instanceId = hostName = the Kratos id, the endpoints as they are, properties `appId`
 * and `environment`. Go leaves the instance metadata out; here it goes into the properties too (Go's
 * reader returns the properties as metadata), with {@link VERSION_KEY} when the version was changed.
 */
export function instanceRecord(
  instance: ServiceInstance,
  c: {
    serviceId: string;
    appId: string;
    environment: string;
    serviceVersion: string;
    heartbeatSeconds?: number;
  },
): ServiceCombInstance {
  const properties: Record<string, string> = {
    ...instance.metadata,
    [APP_ID_KEY]: c.appId,
    [ENV_KEY]: c.environment,
  };
  if (instance.version !== c.serviceVersion) properties[VERSION_KEY] = instance.version;
  else delete properties[VERSION_KEY];
  const record: ServiceCombInstance = {
    instanceId: instance.id,
    serviceId: c.serviceId,
    endpoints: [...instance.endpoints],
    hostName: instance.id,
    properties,
    version: c.serviceVersion,
  };
  if (c.heartbeatSeconds !== undefined) {
    record.healthCheck = { mode: 'push', interval: c.heartbeatSeconds, times: 3 };
  }
  return record;
}

/**
 * Go's reader (`GetService`): id = instanceId, name = the service asked for, metadata = the
 * properties, endpoints as stored. The version is {@link VERSION_KEY} when present, else the
 * instance's (the microservice version; Go's `GetService` puts the serviceId there, its watcher the
 * version). Instances not `UP` are left out.
 */
export function instanceFromServiceComb(record: unknown, name: string): ServiceInstance | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const r = record as Partial<ServiceCombInstance>;
  if (typeof r.instanceId !== 'string' || r.instanceId === '') return undefined;
  if (r.status !== undefined && r.status !== 'UP') return undefined;
  const metadata: Record<string, string> = {};
  if (r.properties && typeof r.properties === 'object') {
    for (const [k, v] of Object.entries(r.properties)) metadata[k] = String(v);
  }
  const version = metadata[VERSION_KEY] ?? (typeof r.version === 'string' ? r.version : '');
  delete metadata[VERSION_KEY];
  return {
    id: r.instanceId,
    name,
    version,
    metadata,
    endpoints: Array.isArray(r.endpoints) ? r.endpoints.map(String) : [],
  };
}
