import { describe, expect, it } from 'vitest';
import { createSharedWatch, createSharedWatchSource, sameSet, type WatchControl } from '../adapter.ts';
import type { KeyValue } from '../index.ts';

const kv = (key: string, value: string): KeyValue => ({
  key,
  value: new TextEncoder().encode(value),
  format: 'yaml',
});
const text = (set: KeyValue[] | undefined) => set?.map((d) => new TextDecoder().decode(d.value));

/** A backend holding one document: counts reads, starts and stops, and can announce a change. */
function fakeBackend() {
  const backend = {
    doc: 'a: 1',
    reads: 0,
    starts: 0,
    stops: 0,
    control: undefined as WatchControl | undefined,
    options: {
      read: async () => {
        backend.reads++;
        return [kv('app.yaml', backend.doc)];
      },
      start: async (control: WatchControl) => {
        backend.starts++;
        backend.control = control;
        control.changed();
        return () => {
          backend.stops++;
        };
      },
      onError: () => {},
    },
  };
  return backend;
}

describe('createSharedWatch', () => {
  it('shares one backend watch, publishes changed sets only, and tears down with the last watcher', async () => {
    const backend = fakeBackend();
    const shared = createSharedWatch(backend.options);
    const one = shared.subscribe()[Symbol.asyncIterator]();
    const two = shared.subscribe()[Symbol.asyncIterator]();
    expect(text((await one.next()).value)).toEqual(['a: 1']);
    await two.next();
    expect(backend.starts).toBe(1);
    backend.doc = 'a: 2';
    backend.control!.changed();
    expect(text((await one.next()).value)).toEqual(['a: 2']);
    expect(backend.reads).toBeGreaterThanOrEqual(2);
    await one.return!();
    expect(shared.active).toBe(true);
    await two.return!();
    expect(shared.active).toBe(false);
    expect(backend.stops).toBe(1);
  });

  it('starts a broken backend watch again (control.fail), keeping the last set meanwhile', async () => {
    const backend = fakeBackend();
    const errors: Array<[string, unknown]> = [];
    const shared = createSharedWatch({ ...backend.options, onError: (phase, e) => errors.push([phase, e]) });
    const one = shared.subscribe()[Symbol.asyncIterator]();
    expect(text((await one.next()).value)).toEqual(['a: 1']);
    const first = backend.control!;
    backend.doc = 'a: 2';
    first.fail(new Error('blocking query failed'));
    // The next start reads the set again and publishes what changed meanwhile.
    expect(text((await one.next()).value)).toEqual(['a: 2']);
    expect(backend.starts).toBe(2);
    expect(backend.stops).toBe(1);
    expect(backend.control).not.toBe(first);
    expect(errors).toEqual([['start', new Error('blocking query failed')]]);
    await one.return!();
    expect(backend.stops).toBe(2);
  });

  it('runs a long poll with control.repeat until a step throws, then starts a fresh session', async () => {
    let doc = 'a: 1';
    let starts = 0;
    let failNext = false;
    const errors: unknown[] = [];
    let release = () => {};
    const shared = createSharedWatch({
      read: async () => [kv('app.yaml', doc)],
      async start({ publish, repeat }) {
        starts++;
        return repeat(async () => {
          publish([kv('app.yaml', doc)]);
          // One "long poll": ends when the test releases it.
          await new Promise<void>((r) => {
            release = r;
          });
          if (failNext) {
            failNext = false;
            throw new Error('poll failed');
          }
        });
      },
      onError: (_phase, e) => errors.push(e),
    });
    const it = shared.subscribe()[Symbol.asyncIterator]();
    expect(text((await it.next()).value)).toEqual(['a: 1']);
    doc = 'a: 2';
    release();
    expect(text((await it.next()).value)).toEqual(['a: 2']);
    expect(starts).toBe(1);
    failNext = true;
    doc = 'a: 3';
    release();
    expect(text((await it.next()).value)).toEqual(['a: 3']);
    expect(starts).toBe(2);
    expect(errors).toEqual([new Error('poll failed')]);
    const closing = it.return!();
    release();
    await closing;
    expect(shared.active).toBe(false);
  });

  it('compares sets byte for byte', () => {
    expect(sameSet([kv('a', 'x')], [kv('a', 'x')])).toBe(true);
    expect(sameSet([kv('a', 'x')], [kv('a', 'y')])).toBe(false);
    expect(sameSet([kv('a', 'x')], [])).toBe(false);
  });
});

describe('createSharedWatchSource', () => {
  it('loads with read, shares one backend watch between watchers and closes it with close', async () => {
    const backend = fakeBackend();
    let onCloses = 0;
    const source = createSharedWatchSource({
      ...backend.options,
      name: 'test config source for "app"',
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
    expect(backend.starts).toBe(1);

    backend.doc = 'a: 2';
    backend.control!.changed();
    expect(text((await one.next()).value)).toEqual(['a: 2']);
    expect(text((await two.next()).value)).toEqual(['a: 2']);

    const pending = one.next();
    await source.close();
    await source.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(source.activeWatches).toBe(0);
    expect(backend.stops).toBe(1);
    expect(onCloses).toBe(1);
    await expect(source.watch()).rejects.toThrow('test config source for "app" is closed');
  });
});
