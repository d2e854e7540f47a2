import { describe, expect, it } from 'vitest';
import { createMemoryRegistry, type ServiceInstance, type ServiceWatcher } from '../index.ts';

const inst = (id: string, name = 'helloworld'): ServiceInstance => ({
  id,
  name,
  version: 'v1.0.0',
  metadata: { weight: '10' },
  endpoints: [`grpc://10.0.0.${id}:9000?isSecure=false`],
});

/** Reads the next snapshot of a watcher as sorted ids. */
async function nextIds(w: ServiceWatcher): Promise<string[]> {
  const it = w[Symbol.asyncIterator]();
  const r = await it.next();
  if (r.done) throw new Error('watcher ended');
  return r.value.map((i) => i.id).sort();
}

describe('createMemoryRegistry', () => {
  it('register, getService, deregister', async () => {
    const reg = createMemoryRegistry();
    expect(await reg.getService('helloworld')).toEqual([]);
    await reg.register(inst('1'));
    await reg.register(inst('2'));
    await reg.register(inst('3', 'other'));
    expect((await reg.getService('helloworld')).map((i) => i.id).sort()).toEqual(['1', '2']);
    expect(await reg.getService('other')).toEqual([inst('3', 'other')]);
    await reg.deregister(inst('1'));
    expect((await reg.getService('helloworld')).map((i) => i.id)).toEqual(['2']);
    await reg.deregister(inst('1'));
    await reg.deregister(inst('2'));
    expect(await reg.getService('helloworld')).toEqual([]);
  });

  it('re-registering an id replaces the instance', async () => {
    const reg = createMemoryRegistry();
    await reg.register(inst('1'));
    await reg.register({ ...inst('1'), version: 'v2.0.0' });
    expect((await reg.getService('helloworld')).map((i) => i.version)).toEqual(['v2.0.0']);
  });

  it('stores and returns copies', async () => {
    const reg = createMemoryRegistry();
    const mine = inst('1');
    await reg.register(mine);
    mine.metadata.weight = '99';
    mine.endpoints.push('http://x:1');
    const [got] = await reg.getService('helloworld');
    expect(got).toEqual(inst('1'));
    got!.metadata.weight = '0';
    expect((await reg.getService('helloworld'))[0]).toEqual(inst('1'));
  });

  it('refuses instances without id or name, and watches without a name', async () => {
    const reg = createMemoryRegistry();
    await expect(reg.register({ ...inst('1'), id: '' })).rejects.toThrow(/non-empty id/);
    await expect(reg.register({ ...inst('1'), name: '' })).rejects.toThrow(/non-empty name/);
    await expect(reg.deregister({ ...inst('1'), id: '' })).rejects.toThrow(TypeError);
    await expect(reg.watch('')).rejects.toThrow(/service name/);
  });

  it('watch yields the full set on start and after each change', async () => {
    const reg = createMemoryRegistry();
    await reg.register(inst('1'));
    const w = await reg.watch('helloworld');
    expect(await nextIds(w)).toEqual(['1']);
    await reg.register(inst('2'));
    expect(await nextIds(w)).toEqual(['1', '2']);
    await reg.register(inst('9', 'other'));
    await reg.deregister(inst('1'));
    expect(await nextIds(w)).toEqual(['2']);
    await reg.deregister(inst('2'));
    expect(await nextIds(w)).toEqual([]);
    await w.stop();
  });

  it('watching a service with no instances starts with an empty set', async () => {
    const reg = createMemoryRegistry();
    const w = await reg.watch('nobody');
    expect(await nextIds(w)).toEqual([]);
    await w.stop();
  });

  it('a slow reader gets the newest full set, not a backlog', async () => {
    const reg = createMemoryRegistry();
    const w = await reg.watch('helloworld');
    await reg.register(inst('1'));
    await reg.register(inst('2'));
    await reg.register(inst('3'));
    expect(await nextIds(w)).toEqual(['1', '2', '3']);
    await w.stop();
  });

  it('stop ends a for-await loop and a pending next()', async () => {
    const reg = createMemoryRegistry();
    const w = await reg.watch('helloworld');
    const seen: string[][] = [];
    const loop = (async () => {
      for await (const set of w) {
        seen.push(set.map((i) => i.id));
        if (seen.length === 2) void w.stop();
      }
    })();
    await reg.register(inst('1'));
    await loop;
    expect(seen).toEqual([[], ['1']]);

    const w2 = await reg.watch('helloworld');
    const it2 = w2[Symbol.asyncIterator]();
    await it2.next();
    const pending = it2.next();
    await w2.stop();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await it2.next()).toEqual({ value: undefined, done: true });
  });

  it('watchers of one service share one backend watch, torn down with the last', async () => {
    const reg = createMemoryRegistry();
    expect(reg.activeWatches).toBe(0);
    const a = await reg.watch('helloworld');
    const b = await reg.watch('helloworld');
    const c = await reg.watch('other');
    expect(reg.activeWatches).toBe(2);
    await reg.register(inst('1'));
    expect(await nextIds(a)).toEqual(['1']);
    expect(await nextIds(b)).toEqual(['1']);
    await a.stop();
    expect(reg.activeWatches).toBe(2);
    await reg.register(inst('2'));
    expect(await nextIds(b)).toEqual(['1', '2']);
    await b.stop();
    await b.stop();
    expect(reg.activeWatches).toBe(1);
    await c.stop();
    expect(reg.activeWatches).toBe(0);
    // A new watch after teardown starts from the current set.
    const d = await reg.watch('helloworld');
    expect(await nextIds(d)).toEqual(['1', '2']);
    await d.stop();
  });

  it('breaking out of for-await stops the watcher', async () => {
    const reg = createMemoryRegistry();
    const w = await reg.watch('helloworld');
    for await (const _ of w) break;
    expect(reg.activeWatches).toBe(0);
  });
});
