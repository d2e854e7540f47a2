// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config placeholders are written ${KEY} on purpose
import { createMemorySource, KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { isConfigError } from './errors.ts';
import { eventually, memoryLogger, tick } from './test-helpers.test-util.ts';
import type { Value } from './types.ts';

const yaml = (text: string) => text;

function memory(docs: Record<string, string>) {
  return createMemorySource(
    Object.entries(docs).map(([key, text]) => ({
      key,
      value: new TextEncoder().encode(text),
      format: key.slice(key.lastIndexOf('.') + 1),
    })),
  );
}

async function loaded(docs: Record<string, string>, ...more: Record<string, string>[]) {
  const logger = memoryLogger();
  const sources = [memory(docs), ...more.map(memory)];
  const config = createConfig({ sources, logger });
  await config.load();
  return { config, logger, sources };
}

describe('merging and flattening', () => {
  it('merges sources in order, later wins, mappings merge key by key, arrays are replaced', async () => {
    const { config } = await loaded(
      {
        'base.yaml': yaml(
          'server:\n  http:\n    addr: 0.0.0.0:8000\n    timeout: 1s\n  grpc:\n    addr: 0.0.0.0:9000\nhosts: [a, b, c]\n',
        ),
      },
      { 'override.json': '{"server":{"http":{"addr":"127.0.0.1:8080"}},"hosts":["z"]}' },
    );
    expect(config.value('server.http.addr').string()).toBe('127.0.0.1:8080');
    expect(config.value('server.http.timeout').duration()).toBe(1000);
    expect(config.value('server.grpc.addr').string()).toBe('0.0.0.0:9000');
    expect(
      config
        .value('hosts')
        .array()
        .map((v) => v.string()),
    ).toEqual(['z']);
    expect(config.value('hosts.0').string()).toBe('z');
    expect(config.value('hosts.1').exists).toBe(false);
    expect(config.snapshot().keys()).toEqual([
      'server.http.addr',
      'server.http.timeout',
      'server.grpc.addr',
      'hosts.0',
    ]);
    await config.close();
  });

  it('merges documents of one source in order, and a later scalar replaces a mapping', async () => {
    const { config } = await loaded({
      'a.yaml': 'db:\n  dsn: x\n  pool: 5\n',
      'b.toml': 'db = "sqlite"\n',
    });
    expect(config.value('db').string()).toBe('sqlite');
    expect(config.value('db.pool').exists).toBe(false);
    await config.close();
  });

  it('reads a literal dotted key, and `""` is the whole tree', async () => {
    const { config } = await loaded({ 'a.json': '{"a.b": 1, "c": {"d": 2}}' });
    expect(config.value('a.b').int()).toBe(1);
    expect(config.value('').raw).toEqual({ 'a.b': 1, c: { d: 2 } });
    await config.close();
  });

  it('keeps a hostile __proto__ key as data', async () => {
    const { config } = await loaded({ 'a.json': '{"__proto__": {"polluted": 1}, "x": 1}' });
    expect(config.value('__proto__.polluted').int()).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await config.close();
  });

  it('freezes the tree so nobody mutates shared config', async () => {
    const { config } = await loaded({ 'a.json': '{"m": {"k": 1}}' });
    expect(() => {
      (config.value('m').raw as Record<string, unknown>).k = 2;
    }).toThrow(TypeError);
    expect(config.value('m.k').int()).toBe(1);
    await config.close();
  });
});

describe('placeholders', () => {
  it('resolves ${KEY} and ${KEY:default} against the merged tree, nested and across sources', async () => {
    const { config } = await loaded(
      {
        'app.yaml': yaml(
          [
            'name: ${APP_NAME:helloworld}',
            'server:',
            '  http:',
            '    addr: ${HTTP_HOST:0.0.0.0}:${HTTP_PORT:8000}',
            '  grpc:',
            '    addr: ${GRPC_ADDR:0.0.0.0:9000}',
            'copy: ${server.http.addr}',
            'port: ${ports.http}',
            'ports:',
            '  http: 8000',
            'chain: ${copy}/x',
            'list: ["${name}", 2]',
            'portsCopy: ${ports}',
          ].join('\n'),
        ),
      },
      { 'env.json': '{"HTTP_PORT": "8080"}' },
    );
    expect(config.value('name').string()).toBe('helloworld');
    expect(config.value('server.http.addr').string()).toBe('0.0.0.0:8080');
    expect(config.value('server.grpc.addr').string()).toBe('0.0.0.0:9000');
    expect(config.value('copy').string()).toBe('0.0.0.0:8080');
    // A string that is exactly one placeholder keeps the referenced value's type.
    expect(config.value('port').raw).toBe(8000);
    expect(config.value('chain').string()).toBe('0.0.0.0:8080/x');
    expect(config.value('list.0').string()).toBe('helloworld');
    expect(config.value('portsCopy').raw).toEqual({ http: 8000 });
    expect(config.value('portsCopy').raw).not.toBe(config.value('ports').raw);
    await config.close();
  });

  it('a missing placeholder without default becomes "" (as in Go), logged; "keep" and "error" modes', async () => {
    const { config, logger } = await loaded({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' });
    expect(config.value('dsn').string()).toBe('user:@tcp');
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.key === 'dsn')).toBe(true);
    await config.close();

    const keep = createConfig({
      sources: [memory({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' })],
      logger: memoryLogger(),
      missingPlaceholder: 'keep',
    });
    await keep.load();
    expect(keep.value('dsn').string()).toBe('user:${DB_PASSWORD}@tcp');
    await keep.close();

    const strict = createConfig({
      sources: [memory({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' })],
      logger: memoryLogger(),
      missingPlaceholder: 'error',
    });
    await expect(strict.load()).rejects.toThrow(/\$\{DB_PASSWORD\} at dsn has no default/);
    await strict.close();
  });

  it('reports a placeholder cycle', async () => {
    const config = createConfig({
      sources: [memory({ 'a.yaml': 'a: ${b}\nb: ${a}\n' })],
      logger: memoryLogger(),
    });
    const err = await config.load().catch((e: unknown) => e);
    expect(isConfigError(err, 'CONFIG_PLACEHOLDER')).toBe(true);
    expect((err as Error).message).toMatch(/cycle/);
    await config.close();
  });
});

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

describe('watch', () => {
  it('fires only when the watched value really changed, with deleted flag and previous value', async () => {
    const logger = memoryLogger();
    const source = memory({ 'a.yaml': 'a: 1\nb: {c: 1}\nother: x\n' });
    const config = createConfig({ sources: [source], logger });
    await config.load();
    const seen: { key: string; raw: unknown; deleted: boolean; previous: unknown }[] = [];
    const record = (value: Value, change: { deleted: boolean; previous: Value }) => {
      seen.push({ key: value.key, raw: value.raw, deleted: change.deleted, previous: change.previous.raw });
    };
    config.watch('a', record);
    config.watch('b', record);
    const offNew = config.watch('fresh', record);

    source.set('a.yaml', 'a: 1\nb: {c: 1}\nother: y\n'); // only `other` changed
    await tick();
    source.set('a.yaml', 'a: 1\nb:\n  c: 1\nother: y\n'); // same content, other spelling
    await tick();
    expect(seen).toEqual([]);

    source.set('a.yaml', 'a: 2\nb: {c: 1}\nother: y\n');
    await eventually(() => seen.length === 1, 'a changed');
    expect(seen[0]).toEqual({ key: 'a', raw: 2, deleted: false, previous: 1 });
    expect(config.value('a').int()).toBe(2);

    source.set('a.yaml', 'a: 2\nb: {c: 2}\nfresh: 1\n');
    await eventually(() => seen.length === 3, 'b and fresh changed');
    expect(seen.slice(1)).toEqual([
      { key: 'b', raw: { c: 2 }, deleted: false, previous: { c: 1 } },
      { key: 'fresh', raw: 1, deleted: false, previous: undefined },
    ]);

    offNew();
    source.set('a.yaml', 'b: {c: 2}\n'); // a and fresh deleted; fresh is no longer watched
    await eventually(() => seen.length === 4, 'a deleted');
    expect(seen[3]).toEqual({ key: 'a', raw: undefined, deleted: true, previous: 2 });
    expect(config.value('a').exists).toBe(false);
    await tick();
    expect(seen).toHaveLength(4);
    await config.close();
  });

  it('a malformed update keeps the last good config and logs the key; a throwing observer is logged', async () => {
    const logger = memoryLogger();
    const source = memory({ 'a.yaml': 'a: 1\n' });
    const config = createConfig({ sources: [source], logger });
    await config.load();
    let calls = 0;
    config.watch('a', () => {
      calls++;
      throw new Error('observer bug');
    });
    const before = config.snapshot();
    source.set('a.yaml', 'a: [1\n');
    await eventually(
      () => logger.lines.some((l) => l.fields.msg?.toString().includes('update rejected')),
      'rejection logged',
    );
    const line = logger.lines.find((l) => String(l.fields.msg).includes('update rejected'));
    expect(line?.fields.key).toBe('a.yaml');
    expect(String(line?.fields.error)).toMatch(/malformed yaml in a\.yaml:\d+:\d+/);
    expect(config.snapshot()).toBe(before);
    expect(config.value('a').int()).toBe(1);

    source.set('a.yaml', 'a: 3\n');
    await eventually(() => calls === 1, 'observer called');
    await eventually(
      () => logger.lines.some((l) => l.fields.msg === 'config: watch observer threw'),
      'observer error logged',
    );
    expect(config.value('a').int()).toBe(3);
    await config.close();
  });

  it('a concurrent reader never sees a mix of two keys updated together', async () => {
    const source = memory({ 'a.json': '{"pair": {"left": 0, "right": 0}, "n": 0}' });
    const config = createConfig({ sources: [source], logger: memoryLogger() });
    await config.load();
    let stop = false;
    let reads = 0;
    let versions = new Set<number>();
    const reader = (async () => {
      while (!stop) {
        // Two separate reads, and one snapshot held across an await: both must be consistent.
        const snap = config.snapshot();
        expect(config.value('pair.left').int()).toBe(config.value('pair.right').int());
        await tick();
        expect(snap.value('pair.left').int()).toBe(snap.value('pair.right').int());
        expect(snap.value('pair.left').int()).toBe(snap.value('n').int());
        versions.add(snap.version);
        reads++;
      }
    })();
    for (let i = 1; i <= 300; i++) {
      source.set('a.json', JSON.stringify({ pair: { left: i, right: i }, n: i }));
      if (i % 3 === 0) await tick();
    }
    await eventually(() => config.value('n').int() === 300, 'last update applied');
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(10);
    expect(versions.size).toBeGreaterThan(2);
    versions = new Set();
    await config.close();
  });

  it('a rewrite with the same content keeps the snapshot; a real change bumps the version', async () => {
    const source = memory({ 'a.yaml': 'a: 1\n' });
    const config = createConfig({ sources: [source], logger: memoryLogger() });
    await config.load();
    const first = config.snapshot();
    source.set('a.yaml', '# same\na:   1\n');
    await tick();
    expect(config.snapshot()).toBe(first);
    source.set('a.yaml', 'a: 2\n');
    await eventually(() => config.snapshot() !== first, 'new snapshot');
    expect(config.snapshot().version).toBe(first.version + 1);
    expect(first.value('a').int()).toBe(1);
    await config.close();
  });

  it('close() stops following sources', async () => {
    const source = memory({ 'a.yaml': 'a: 1\n' });
    const config = createConfig({ sources: [source], logger: memoryLogger() });
    await config.load();
    await config.close();
    source.set('a.yaml', 'a: 2\n');
    await tick();
    expect(config.snapshot().value('a').int()).toBe(1);
  });
});
