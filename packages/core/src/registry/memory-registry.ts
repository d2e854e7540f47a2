import type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from './registry.ts';
import { createServiceWatches } from './service-watches.ts';

/** An in-process registry: the embedded default, and the reference for the contract suite. */
export interface MemoryRegistry extends Registrar, Discovery {
  /** Number of backend watches open (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
}

function validate(instance: ServiceInstance): void {
  if (!instance || typeof instance.id !== 'string' || instance.id === '') {
    throw new TypeError('service instance needs a non-empty id');
  }
  if (typeof instance.name !== 'string' || instance.name === '') {
    throw new TypeError('service instance needs a non-empty name');
  }
}

function copy(i: ServiceInstance): ServiceInstance {
  return { ...i, metadata: { ...i.metadata }, endpoints: [...(i.endpoints ?? [])] };
}

/** Makes an in-memory registry shared by everything holding the returned object. */
export function createMemoryRegistry(): MemoryRegistry {
  const services = new Map<string, Map<string, ServiceInstance>>();
  const snapshot = (name: string) => [...(services.get(name)?.values() ?? [])].map(copy);
  const watches = createServiceWatches({
    backend: 'memory',
    open(name, fan) {
      fan.publish(snapshot(name));
      return { ready: Promise.resolve(), stop() {} };
    },
  });
  const notify = (name: string) => watches.fanOf(name)?.publish(snapshot(name));

  return {
    async register(instance) {
      validate(instance);
      let set = services.get(instance.name);
      if (!set) {
        set = new Map();
        services.set(instance.name, set);
      }
      set.set(instance.id, copy(instance));
      notify(instance.name);
    },
    async deregister(instance) {
      validate(instance);
      const set = services.get(instance.name);
      if (set?.delete(instance.id)) {
        if (set.size === 0) services.delete(instance.name);
        notify(instance.name);
      }
    },
    async getService(name) {
      return snapshot(name);
    },
    async watch(name): Promise<ServiceWatcher> {
      if (typeof name !== 'string') throw new TypeError('watch needs a service name');
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
  } satisfies MemoryRegistry;
}
