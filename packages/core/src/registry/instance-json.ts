import type { ServiceInstance } from './registry.ts';

/**
 * Encodes an instance byte for byte as Go Kratos' etcd and zookeeper registries store it (Go's
 * `json.Marshal`): field order `id, name, version, metadata, endpoints`, metadata keys sorted,
 * `metadata` null when empty (Go's nil map), HTML-sensitive characters escaped.
 */
export function marshalServiceInstance(instance: ServiceInstance): string {
  const keys = Object.keys(instance.metadata ?? {}).sort();
  // Go's encoding/json writes map keys sorted and escapes <, >, & and U+2028/9. The metadata
  // object is written by hand: a JS object would put integer-like keys ("10", "2") first.
  const md =
    keys.length > 0
      ? `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(instance.metadata[k]))}`).join(',')}}`
      : 'null';
  const head = JSON.stringify({ id: instance.id, name: instance.name, version: instance.version });
  const endpoints = JSON.stringify(instance.endpoints ?? []);
  return goEscape(`${head.slice(0, -1)},"metadata":${md},"endpoints":${endpoints}}`);
}

const goEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c]!);
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
