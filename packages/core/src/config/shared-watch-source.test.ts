import { describe, expect, it } from 'vitest';
import { createSharedWatchSource, type KeyValue } from '../index.ts';

const kv = (key: string, value: string): KeyValue => ({
  key,
  value: new TextEncoder().encode(value),
  format: 'yaml',
});
const text = (set: KeyValue[] | undefined) => set?.map((d) => new TextDecoder().decode(d.value));

describe('createSharedWatchSource', () => {
  it('loads with read, shares one backend watch between watchers and closes it with close', async () => {
    let doc = 'a: 1';
    let starts = 0;
    let stops = 0;
    let onCloses = 0;
    let changed: (() => void) | undefined;
    const source = createSharedWatchSource({
      name: 'test config source for "app"',
      read: async () => [kv('app.yaml', doc)],
      start: async (control) => {
        starts++;
        changed = control.changed;
        control.changed();
        return () => {
          stops++;
        };
      },
      onError: () => {},
      onClose: () => {
        onCloses++;
      },
    });
    expect(text(await source.load())).toEqual(['a: 1']);
    expect(source.activeWatches).toBe(0);

    const one = (await source.watch())[Symbol.asyncIterator]();
    const two = (await source.watch())[Symbol.asyncIterator]();
    expect(text((await one.next()).value)).toEqual(['a: 1']);
    expect(text((await two.next()).value)).toEqual(['a: 1']);
    expect(source.activeWatches).toBe(1);
    expect(starts).toBe(1);

    doc = 'a: 2';
    changed!();
    expect(text((await one.next()).value)).toEqual(['a: 2']);
    expect(text((await two.next()).value)).toEqual(['a: 2']);

    const pending = one.next();
    await source.close();
    await source.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(source.activeWatches).toBe(0);
    expect(stops).toBe(1);
    expect(onCloses).toBe(1);
    await expect(source.watch()).rejects.toThrow('test config source for "app" is closed');
  });
});
