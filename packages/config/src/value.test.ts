import { KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { loaded, memoryLogger, yaml } from './test-helpers.test-util.ts';
import type { Value } from './types.ts';

describe('value accessors', () => {
  const doc = {
    'a.yaml': yaml(
      [
        'b: true',
        'bs: "false"',
        'b1: 1',
        'i: 42',
        'is: " 17 "',
        'neg: -3',
        'f: 1.5',
        'fs: "2.25"',
        's: text',
        'n: 3',
        'd1: 1s',
        'd2: 500ms',
        'd3: 1h30m',
        'd4: 1.5s',
        'd5: 250',
        'd6: 250us',
        'arr: [1, two, {x: 3}]',
        'm: {k1: v1, k2: 2}',
        'big: 9007199254740993',
        'nul: null',
      ].join('\n'),
    ),
  };

  it('reads each type, converting like Go', async () => {
    const { config } = await loaded(doc);
    const v = (k: string) => config.value(k);
    expect(v('b').bool()).toBe(true);
    expect(v('bs').bool()).toBe(false);
    expect(v('b1').bool()).toBe(true);
    expect(v('i').int()).toBe(42);
    expect(v('is').int()).toBe(17);
    expect(v('neg').int()).toBe(-3);
    expect(v('f').float()).toBe(1.5);
    expect(v('fs').float()).toBe(2.25);
    expect(v('i').float()).toBe(42);
    expect(v('s').string()).toBe('text');
    expect(v('n').string()).toBe('3');
    expect(v('b').string()).toBe('true');
    expect(v('d1').duration()).toBe(1000);
    expect(v('d2').duration()).toBe(500);
    expect(v('d3').duration()).toBe(5_400_000);
    expect(v('d4').duration()).toBe(1500);
    expect(v('d5').duration()).toBe(250);
    expect(v('d6').duration()).toBe(0.25);
    const arr = v('arr').array();
    expect(arr.map((x) => x.key)).toEqual(['arr.0', 'arr.1', 'arr.2']);
    expect(arr[1]?.string()).toBe('two');
    expect(arr[2]?.map().get('x')?.int()).toBe(3);
    const m = v('m').map();
    expect([...m.keys()]).toEqual(['k1', 'k2']);
    expect(m.get('k2')?.int()).toBe(2);
    expect(m.get('k2')?.key).toBe('m.k2');
    expect(v('nul').exists).toBe(true);
    expect(v('nul').raw).toBeNull();
    expect(v('m').exists).toBe(true);
    expect(v('zzz').exists).toBe(false);
    expect(v('zzz').raw).toBeUndefined();
    await config.close();
  });

  it('throws a KratosError naming the key and the wanted type', async () => {
    const { config } = await loaded(doc);
    const cases: [string, (v: Value) => unknown, RegExp][] = [
      ['s', (v) => v.bool(), /config key "s": cannot read "text" \(string\) as bool/],
      ['s', (v) => v.int(), /config key "s": cannot read "text" \(string\) as int/],
      ['f', (v) => v.int(), /config key "f": cannot read 1\.5 \(number\) as int/],
      ['big', (v) => v.int(), /as int \(beyond/],
      ['s', (v) => v.float(), /as float/],
      ['m', (v) => v.string(), /config key "m": cannot read a mapping as string/],
      ['s', (v) => v.duration(), /as duration/],
      ['s', (v) => v.array(), /as array/],
      ['arr', (v) => v.map(), /config key "arr": cannot read an array of 3 as map/],
      ['nul', (v) => v.int(), /cannot read null as int/],
    ];
    for (const [key, read, message] of cases) {
      let err: unknown;
      try {
        read(config.value(key));
      } catch (e) {
        err = e;
      }
      expect(KratosError.is(err), key).toBe(true);
      expect((err as KratosError).reason).toBe('CONFIG_TYPE');
      expect((err as KratosError).metadata.key).toBe(key);
      expect((err as Error).message).toMatch(message);
    }
    await config.close();
  });

  it('a missing key throws CONFIG_NOT_FOUND unless a fallback is given', async () => {
    const { config } = await loaded(doc);
    const missing = config.value('server.port');
    expect(() => missing.int()).toThrow(/config key "server.port" not found \(wanted int\)/);
    expect(missing.int(8000)).toBe(8000);
    expect(missing.string('x')).toBe('x');
    expect(missing.bool(false)).toBe(false);
    expect(missing.duration(1000)).toBe(1000);
    expect(missing.float(0.5)).toBe(0.5);
    expect(() => missing.array()).toThrow(/not found/);
    await expect(
      missing.scan({ '~standard': { version: 1, vendor: 't', validate: (v) => ({ value: v }) } }),
    ).rejects.toThrow(/not found/);
    // A fallback does not hide a value of the wrong type.
    expect(() => config.value('s').int(1)).toThrow(/as int/);
    await config.close();
  });

  it('refuses reads before load()', () => {
    const config = createConfig({ sources: [], logger: memoryLogger() });
    expect(() => config.value('a')).toThrow(/await config.load\(\)/);
  });
});
