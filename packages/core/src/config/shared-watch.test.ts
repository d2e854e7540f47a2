import { describe, expect, it } from 'vitest';
import { createSharedWatch, type KeyValue, sameSet, type WatchControl } from '../index.ts';

const kv = (key: string, value: string): KeyValue => ({
  key,
  value: new TextEncoder().encode(value),
  format: 'yaml',
});

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
