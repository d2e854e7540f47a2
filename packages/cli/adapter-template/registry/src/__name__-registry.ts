import type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from '@kratos/core';
import { createServiceWatches } from '@kratos/core/adapter';

/** Options of {@link create__Name__Registry}. */
export interface __Name__RegistryOptions {
  /** Prefix of the keys instances are stored under. Default `/microservices`. */
  namespace?: string;
}

/** A registry on __name__: registers this process's instance and finds others. */
export interface __Name__Registry extends Registrar, Discovery {
  /** Backend watches open now (one per watched service, shared by its watchers). */
  readonly activeWatches: number;
  /** Stops every watcher and releases the client. */
  close(): Promise<void>;
}

function check(instance: ServiceInstance): void {
  if (!instance || typeof instance.id !== 'string' || instance.id === '')
    throw new TypeError('service instance needs a non-empty id');
  if (typeof instance.name !== 'string' || instance.name === '')
    throw new TypeError('service instance needs a non-empty name');
}

const copy = (i: ServiceInstance): ServiceInstance => ({
  ...i,
  metadata: { ...i.metadata },
  endpoints: [...(i.endpoints ?? [])],
});

/**
 * Makes a {@link __Name__Registry}.
 *
 * Stand-in: instances live in a Map of this process. Replace `store` with the __name__ client
 * (write `${namespace}/${name}/${id}`, read by prefix, watch the prefix) and keep the contract
 * suite passing.
 */
export function create__Name__Registry(options: __Name__RegistryOptions = {}): __Name__Registry {
  const namespace = options.namespace ?? '/microservices';
  if (!namespace.startsWith('/'))
    throw new TypeError(`create__Name__Registry: namespace must start with "/", got "${namespace}"`);
  const store = new Map<string, Map<string, ServiceInstance>>();
  const snapshot = (name: string) => [...(store.get(name)?.values() ?? [])].map(copy);
  const watches = createServiceWatches({
    backend: '__name__',
    open(name, fan) {
      fan.publish(snapshot(name));
      return { ready: Promise.resolve(), stop() {} };
    },
  });
  const changed = (name: string) => watches.fanOf(name)?.publish(snapshot(name));

  return {
    async register(instance) {
      check(instance);
      const set = store.get(instance.name) ?? new Map<string, ServiceInstance>();
      store.set(instance.name, set);
      set.set(instance.id, copy(instance));
      changed(instance.name);
    },
    async deregister(instance) {
      check(instance);
      const set = store.get(instance.name);
      if (set?.delete(instance.id)) changed(instance.name);
    },
    async getService(name) {
      return snapshot(name);
    },
    async watch(name): Promise<ServiceWatcher> {
      if (typeof name !== 'string' || name === '') throw new TypeError('watch needs a service name');
      return watches.watch(name);
    },
    get activeWatches() {
      return watches.size;
    },
    async close() {
      await watches.close();
    },
  } satisfies __Name__Registry;
}
