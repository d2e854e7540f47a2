import type { ServiceInstance } from '../registry/registry.ts';

/**
 * What every registry's `register`/`deregister` asks of an instance before it talks to its
 * backend: a non-empty id and name, and a list of endpoints. Throws a TypeError saying which.
 */
export function checkInstance(instance: ServiceInstance): void {
  if (!instance?.id) throw new TypeError('service instance needs a non-empty id');
  if (!instance.name) throw new TypeError('service instance needs a non-empty name');
  if (!Array.isArray(instance.endpoints)) throw new TypeError('service instance needs a list of endpoints');
}
