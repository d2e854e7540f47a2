// Kratos service instances as bilibili discovery's register parameters, and discovery's
// instances read back, as Go Kratos' discovery registry maps them.
import type { ServiceInstance } from '@kratos/core';
import { goStringMapJson } from '@kratos/core/adapter';

/** The metadata key Go Kratos stores the instance id under. */
export const INSTANCE_ID_KEY = 'kratos.v2.serviceinstance.id';

/** One instance as discovery answers it (the fields read here). */
export interface DiscoveryInstance {
  region?: string;
  zone?: string;
  env?: string;
  appid?: string;
  hostname?: string;
  addrs?: string[];
  version?: string;
  metadata?: Record<string, string> | null;
  status?: number;
  latest_timestamp?: number | string;
}

/**
 * The query parameters of `POST /discovery/register` as Go Kratos sends them: region, zone, env,
 * hostname, appid = name, one `addrs` per endpoint, version, status 1, metadata = the instance's
 * metadata plus the id under {@link INSTANCE_ID_KEY}, as Go's json.Marshal writes it.
 */
export function registerParams(
  instance: ServiceInstance,
  c: { region: string; zone: string; env: string; hostname: string },
): URLSearchParams {
  const p = new URLSearchParams();
  p.set('region', c.region);
  p.set('zone', c.zone);
  p.set('env', c.env);
  p.set('hostname', c.hostname);
  p.set('appid', instance.name);
  for (const a of instance.endpoints) p.append('addrs', a);
  p.set('version', instance.version);
  p.set('status', '1');
  p.set('metadata', goStringMapJson({ ...instance.metadata, [INSTANCE_ID_KEY]: instance.id }));
  return p;
}

/**
 * Go's toServiceInstance: id from metadata {@link INSTANCE_ID_KEY} (else the hostname, for instances
 * registered by non-kratos apps), metadata = region, zone, lastTs, env, hostname, then the instance's.
 * Throws a TypeError for a record that is not an instance.
 */
export function instanceFromDiscovery(ins: DiscoveryInstance): ServiceInstance {
  if (!ins || typeof ins !== 'object') throw new TypeError('not an object');
  if (typeof ins.appid !== 'string' || ins.appid === '') throw new TypeError('instance has no appid');
  if (!Array.isArray(ins.addrs) || ins.addrs.some((a) => typeof a !== 'string'))
    throw new TypeError('instance addrs is not a list of strings');
  const own: Record<string, string> = {};
  if (ins.metadata && typeof ins.metadata === 'object') {
    for (const [k, v] of Object.entries(ins.metadata)) own[k] = String(v);
  }
  const id = own[INSTANCE_ID_KEY] || ins.hostname;
  if (!id) throw new TypeError('instance has neither a kratos id nor a hostname');
  return {
    id,
    name: ins.appid,
    version: ins.version ?? '',
    metadata: {
      region: ins.region ?? '',
      zone: ins.zone ?? '',
      lastTs: String(ins.latest_timestamp ?? 0),
      env: ins.env ?? '',
      hostname: ins.hostname ?? '',
      ...own,
    },
    endpoints: [...ins.addrs],
  };
}
