import { describe, expect, it } from 'vitest';
import { formatFromKey } from '../adapter.ts';
import { createMemorySource, type KeyValue } from '../index.ts';

const text = (kvs: KeyValue[]) => kvs.map((kv) => [kv.key, new TextDecoder().decode(kv.value), kv.format]);

describe('createMemorySource', () => {
  it('loads its documents with formats from the key extension', async () => {
    const src = createMemorySource([
      { key: 'base.yaml', value: new TextEncoder().encode('a: 1'), format: 'yaml' },
    ]);
    src.set('app.json', '{"b":2}');
    src.set('raw', 'x=1', 'properties');
    expect(text(await src.load())).toEqual([
      ['base.yaml', 'a: 1', 'yaml'],
      ['app.json', '{"b":2}', 'json'],
      ['raw', 'x=1', 'properties'],
    ]);
  });

  it('load returns copies', async () => {
    const src = createMemorySource();
    src.set('a.json', '{}');
    const [kv] = await src.load();
    kv!.value[0] = 0x5b;
    expect(text(await src.load())).toEqual([['a.json', '{}', 'json']]);
  });

  it('watch yields the full set on start and after every change', async () => {
    const src = createMemorySource();
    src.set('a.json', '{"v":1}');
    const w = await src.watch();
    const it = w[Symbol.asyncIterator]();
    expect(text((await it.next()).value as KeyValue[])).toEqual([['a.json', '{"v":1}', 'json']]);
    src.set('b.yaml', 'v: 2');
    expect(text((await it.next()).value as KeyValue[])).toEqual([
      ['a.json', '{"v":1}', 'json'],
      ['b.yaml', 'v: 2', 'yaml'],
    ]);
    src.delete('a.json');
    expect(text((await it.next()).value as KeyValue[])).toEqual([['b.yaml', 'v: 2', 'yaml']]);
    src.delete('missing');
    const pending = it.next();
    await w.stop();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('a watch on an untouched source starts with its initial documents', async () => {
    const src = createMemorySource([
      { key: 'k.toml', value: new TextEncoder().encode('x = 1'), format: 'toml' },
    ]);
    const w = await src.watch();
    const first = await w[Symbol.asyncIterator]().next();
    expect(text(first.value as KeyValue[])).toEqual([['k.toml', 'x = 1', 'toml']]);
    await w.stop();
  });
});

describe('formatFromKey', () => {
  it('takes the extension of the last path segment', () => {
    expect(formatFromKey('configs/app.yaml')).toBe('yaml');
    expect(formatFromKey('app.YML')).toBe('yaml');
    expect(formatFromKey('x.json')).toBe('json');
    expect(formatFromKey('/etc/conf.d/app')).toBe('');
    expect(formatFromKey('noext')).toBe('');
    expect(formatFromKey('trailing.')).toBe('');
    expect(formatFromKey('a.b.toml')).toBe('toml');
  });
});
