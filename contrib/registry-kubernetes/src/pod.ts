// A Kratos service instance as the labels and annotations Go Kratos' Kubernetes registry puts on a
// pod, and a pod read back as an instance.
import type { ServiceInstance } from '@kratos/core';
import { goStringMapJson } from '@kratos/core/adapter';
import { endpointPort } from '@kratos/core/transport';
import type { V1Pod } from '@kubernetes/client-node';

/** Label holding the instance id (Go's `LabelsKeyServiceID`). */
export const LABEL_SERVICE_ID = 'kratos-service-id';
/** Label holding the service name (Go's `LabelsKeyServiceName`). */
export const LABEL_SERVICE_APP = 'kratos-service-app';
/** Label holding the version (Go's `LabelsKeyServiceVersion`). */
export const LABEL_SERVICE_VERSION = 'kratos-service-version';
/** Annotation holding the metadata as a JSON map (Go's `AnnotationsKeyMetadata`). */
export const ANNOTATION_METADATA = 'kratos-service-metadata';
/** Annotation holding `{"<port>":"<scheme>"}` (Go's `AnnotationsKeyProtocolMap`). */
export const ANNOTATION_PROTOCOLS = 'kratos-service-protocols';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function checkLabelValue(what: string, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new TypeError(
      `${what} ${JSON.stringify(value)} is not a valid Kubernetes label value (at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit)`,
    );
  }
}

/** A string map as Go's JSON encoders write it (core's `goStringMapJson`: keys sorted, `<>&` escaped). */
export const marshalStringMap: (map: Record<string, string>) => string = goStringMapJson;

/**
 * Go's `getProtocolMapByEndpoints`: port -> scheme of each endpoint URL. A TLS server's endpoint
 * keeps its `grpcs` / `https` scheme, which is how discovery tells it is TLS.
 */
export function protocolMapOf(endpoints: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of endpoints) {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      throw new TypeError(`endpoint ${JSON.stringify(e)} is not a URL`);
    }
    out[endpointPort(e)] = u.protocol.replace(/:$/, '');
  }
  return out;
}

/** TLS schemes, whose endpoints kratos servers write with `isSecure=true`. */
const TLS_SCHEMES = new Set(['grpcs', 'https']);

/** The labels and annotations `register` patches onto the pod, exactly as Go Kratos writes them. */
export function podMetadataOf(instance: ServiceInstance): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: {
      [LABEL_SERVICE_ID]: instance.id,
      [LABEL_SERVICE_APP]: instance.name,
      [LABEL_SERVICE_VERSION]: instance.version,
    },
    annotations: {
      [ANNOTATION_METADATA]: marshalStringMap(instance.metadata ?? {}),
      [ANNOTATION_PROTOCOLS]: marshalStringMap(protocolMapOf(instance.endpoints ?? [])),
    },
  };
}

const isEmptyObjectString = (s: string | undefined) =>
  s === undefined || s === '' || s === '{}' || s === 'null' || s === 'nil' || s === '[]';

function parseStringMap(pod: V1Pod, key: string): Record<string, string> {
  const raw = pod.metadata?.annotations?.[key];
  if (isEmptyObjectString(raw)) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw!);
  } catch (e) {
    throw new Error(`annotation ${key} is not JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`annotation ${key} is not a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      throw new Error(`annotation ${key}: value of ${JSON.stringify(k)} is not a string`);
    out[k] = val;
  }
  return out;
}

/**
 * Go's `getServiceInstanceFromPod`: endpoints `<scheme>://<podIP>:<containerPort>`, the scheme from
 * the protocols annotation, else the port name's prefix before `-`, else the port protocol.
 * Throws when an annotation is not a JSON string map.
 */
export function instanceFromPod(pod: V1Pod, endpointSuffix = ''): ServiceInstance {
  const labels = pod.metadata?.labels ?? {};
  const metadata = parseStringMap(pod, ANNOTATION_METADATA);
  const protocols = parseStringMap(pod, ANNOTATION_PROTOCOLS);
  const ip = pod.status?.podIP ?? '';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const endpoints: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      let scheme = protocols[String(p.containerPort)] ?? '';
      if (!scheme) scheme = p.name ? (p.name.split('-')[0] ?? '') : (p.protocol ?? 'TCP');
      const suffix = TLS_SCHEMES.has(scheme.toLowerCase())
        ? endpointSuffix.replace(/([?&])isSecure=false(?=&|$)/, '$1isSecure=true')
        : endpointSuffix;
      endpoints.push(`${scheme}://${host}:${p.containerPort}${suffix}`);
    }
  }
  return {
    id: labels[LABEL_SERVICE_ID] ?? '',
    name: labels[LABEL_SERVICE_APP] ?? '',
    version: labels[LABEL_SERVICE_VERSION] ?? '',
    metadata,
    endpoints,
  };
}
