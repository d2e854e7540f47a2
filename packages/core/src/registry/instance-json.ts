import { goJson, goStringMapJson } from '../encoding/go-json.ts';
import type { ServiceInstance } from './registry.ts';

/**
 * Encodes an instance byte for byte as Go Kratos' etcd and zookeeper registries store it (Go's
 * `json.Marshal`): field order `id, name, version, metadata, endpoints`, metadata keys sorted,
 * `metadata` null when empty (Go's nil map), HTML-sensitive characters escaped.
 */
export function marshalServiceInstance(instance: ServiceInstance): string {
  const metadata = instance.metadata ?? {};
  // Go's nil map is `null`; a map is written with its keys in Go's order.
  const md = Object.keys(metadata).length > 0 ? goStringMapJson(metadata) : 'null';
  const head = goJson({ id: instance.id, name: instance.name, version: instance.version });
  return `${head.slice(0, -1)},"metadata":${md},"endpoints":${goJson(instance.endpoints ?? [])}}`;
}

/** Why a stored record could not be read as an instance. */
export class InvalidInstanceError extends Error {
  override get name(): string {
    return 'InvalidInstanceError';
  }
}

/**
 * Decodes Go Kratos' instance JSON. Throws {@link InvalidInstanceError} for anything that is not
 * an instance record, so adapters can skip foreign or broken records with a warning.
 */
export function unmarshalServiceInstance(data: string | Uint8Array): ServiceInstance {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInstanceError(`not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInstanceError('not a JSON object');
  }
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') throw new InvalidInstanceError('missing "id"');
  if (typeof r.name !== 'string' || r.name === '') throw new InvalidInstanceError('missing "name"');
  const endpoints = r.endpoints ?? [];
  if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string')) {
    throw new InvalidInstanceError('"endpoints" is not a list of strings');
  }
  const metadata: Record<string, string> = {};
  if (r.metadata != null) {
    if (typeof r.metadata !== 'object' || Array.isArray(r.metadata)) {
      throw new InvalidInstanceError('"metadata" is not an object');
    }
    for (const [k, v] of Object.entries(r.metadata)) metadata[k] = String(v);
  }
  return {
    id: r.id,
    name: r.name,
    version: typeof r.version === 'string' ? r.version : '',
    metadata,
    endpoints: endpoints as string[],
  };
}
