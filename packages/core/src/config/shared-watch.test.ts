import { describe, expect, it } from 'vitest';
import {
  createSharedWatch,
  createSharedWatchSource,
  type KeyValue,
  sameSet,
  type WatchControl,
} from '../index.ts';

const kv = (key: string, value: string): KeyValue => ({
  key,
  value: new TextEncoder().encode(value),
  format: 'yaml',
});
const text = (set: KeyValue[] | undefined) => set?.map((d) => new TextDecoder().decode(d.value));

describe('createSharedWatch', () => {
  it('shares one backend watch, publishes changed sets only, and tears down with the last watcher', async () => {
    let doc = 'a: 1';
    let reads = 0;
    let starts = 0;
    let stops = 0;
    let control: WatchControl | undefined;
    const shared = createSharedWatch({
      read: async () => {
        reads++;
        return [kv('app.yaml', doc)];
      },
      start: async (c) => {
        starts++;
        control = c;
        c.changed();
        return () => {
          stops++;
        };
      },
      onError: () => {},
    });
    const one = shared.subscribe()[Symbol.asyncIterator]();
    const two = shared.subscribe()[Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await one.next()).value![0]!.value)).toBe('a: 1');
    await two.next();
    expect(starts).toBe(1);
    doc = 'a: 2';
    control!.changed();
    expect(new TextDecoder().decode((await one.next()).value![0]!.value)).toBe('a: 2');
    expect(reads).toBeGreaterThanOrEqual(2);
    await one.return!();
    expect(shared.active).toBe(true);
    await two.return!();
    expect(shared.active).toBe(false);
    expect(stops).toBe(1);
  });

  it('compares sets byte for byte', () => {
    expect(sameSet([kv('a', 'x')], [kv('a', 'x')])).toBe(true);
    expect(sameSet([kv('a', 'x')], [kv('a', 'y')])).toBe(false);
    expect(sameSet([kv('a', 'x')], [])).toBe(false);
  });
});

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
