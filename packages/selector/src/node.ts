import type { Node, ServiceInstance } from '@kratos/core';
import { parseEndpoint } from '@kratos/core/transport';

/** What {@link createNode} needs; everything but scheme and address is optional. */
export interface NodeInit {
  scheme: string;
  address: string;
  serviceName?: string;
  version?: string;
  metadata?: Readonly<Record<string, string>>;
  /** Overrides the weight read from `metadata.weight`. */
  initialWeight?: number;
  instance?: ServiceInstance;
}

const INTEGER = /^[+-]?\d+$/;

/** Reads `metadata.weight` as Go Kratos does (`strconv.ParseInt`): an integer or nothing. */
export function weightFromMetadata(
  metadata: Readonly<Record<string, string>> | null | undefined,
): number | undefined {
  const raw = metadata?.weight;
  if (typeof raw !== 'string' || !INTEGER.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Makes a frozen {@link Node}. */
export function createNode(init: NodeInit): Node {
  const metadata = init.metadata ?? {};
  return Object.freeze({
    scheme: init.scheme,
    address: init.address,
    serviceName: init.serviceName ?? '',
    initialWeight: init.initialWeight ?? weightFromMetadata(metadata),
    version: init.version ?? '',
    metadata,
    ...(init.instance ? { instance: init.instance } : {}),
  });
}

/** The identity of a node across discovery updates: statistics are kept per key. */
export function nodeKey(node: Node): string {
  return `${node.scheme}://${node.address}`;
}

/**
 * One node per instance that has an endpoint of the transport `scheme` (the first such endpoint,
 * as Go Kratos' resolvers do); `grpcs://` endpoints are of the `grpc` transport, `https://` ones of
 * `http`. With `secure` set, only TLS endpoints (`grpcs://`, `https://` or `isSecure=true`) count,
 * or only plaintext ones; unset, both do. Instances repeating an address already taken are skipped.
 */
export function nodesFromInstances(
  instances: readonly ServiceInstance[],
  scheme: 'http' | 'grpc' | (string & {}),
  secure?: boolean,
): Node[] {
  const nodes: Node[] = [];
  const seen = new Set<string>();
  for (const instance of instances) {
    if (!instance || !Array.isArray(instance.endpoints)) continue;
    const address = parseEndpoint(instance.endpoints, scheme, secure);
    if (!address || seen.has(address)) continue;
    seen.add(address);
    nodes.push(
      createNode({
        scheme,
        address,
        serviceName: instance.name,
        version: instance.version ?? '',
        metadata: instance.metadata ?? {},
        instance,
      }),
    );
  }
  return nodes;
}
