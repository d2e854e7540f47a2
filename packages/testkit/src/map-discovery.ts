import type { Discovery, ServiceInstance, ServiceWatcher } from '@kratos/core';

/**
 * A view of `discovery` whose `getService` results and watcher snapshots pass through `map`.
 * For running the registry contract over a backend that reports instances in a form of its own,
 * e.g. endpoints without the `?isSecure=false` query it does not store (Polaris, Nacos).
 */
export function mapDiscovery(
  discovery: Discovery,
  map: (instances: ServiceInstance[]) => ServiceInstance[],
): Discovery {
  return {
    getService: async (name, options) => map(await discovery.getService(name, options)),
    async watch(name, options) {
      const w = await discovery.watch(name, options);
      const it = w[Symbol.asyncIterator]();
      return {
        stop: () => w.stop(),
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const r = await it.next();
            return r.done ? r : { done: false, value: map(r.value) };
          },
          return: async () => {
            await w.stop();
            return { done: true, value: undefined };
          },
        }),
      } satisfies ServiceWatcher;
    },
  };
}
