import { createMemoryRegistry, type ServiceInstance } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { mapDiscovery, nextMatching } from './index.ts';

const inst = (id: string): ServiceInstance => ({
  id,
  name: 'svc',
  version: 'v1',
  metadata: {},
  endpoints: [`grpc://127.0.0.1:900${id}`],
});
const withQuery = (list: ServiceInstance[]) =>
  list.map((i) => ({ ...i, endpoints: i.endpoints.map((e) => `${e}?isSecure=false`) }));

describe('mapDiscovery', () => {
  it('maps getService results and every watcher snapshot', async () => {
    const registry = createMemoryRegistry();
    const view = mapDiscovery(registry, withQuery);
    await registry.register(inst('1'));
    expect((await view.getService('svc')).map((i) => i.endpoints[0])).toEqual([
      'grpc://127.0.0.1:9001?isSecure=false',
    ]);
    const w = await view.watch('svc');
    await nextMatching(w, (s) => s.length === 1);
    await registry.register(inst('2'));
    const two = await nextMatching(w, (s) => s.length === 2);
    expect(two.map((i) => i.endpoints[0]).sort()).toEqual([
      'grpc://127.0.0.1:9001?isSecure=false',
      'grpc://127.0.0.1:9002?isSecure=false',
    ]);
    await w.stop();
    expect(registry.activeWatches).toBe(0);
  });

  it('stops the underlying watcher when a for-await loop ends early', async () => {
    const registry = createMemoryRegistry();
    await registry.register(inst('1'));
    const w = await mapDiscovery(registry, withQuery).watch('svc');
    for await (const set of w) {
      expect(set[0]!.endpoints).toEqual(['grpc://127.0.0.1:9001?isSecure=false']);
      break;
    }
    expect(registry.activeWatches).toBe(0);
  });
});
