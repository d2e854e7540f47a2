import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { eventually, loaded, memory, memoryLogger, tick, yaml } from './test-helpers.test-util.ts';
import type { Source, Value } from './types.ts';

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
    await tick(); // each set is applied on its own
    source.set('a.yaml', 'a: 1\nb:\n  c: 1\nother: y\n'); // same content, other spelling
    await tick();

    // The first event is this change: the two updates before fired nothing.
    source.set('a.yaml', 'a: 2\nb: {c: 1}\nother: y\n');
    await eventually(() => seen.length >= 1, 'a changed');
    expect(seen).toEqual([{ key: 'a', raw: 2, deleted: false, previous: 1 }]);
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
    // The next event is the next change of a watched key: `fresh`, no longer watched, fired nothing.
    source.set('a.yaml', 'a: 3\nb: {c: 2}\n');
    await eventually(() => seen.length >= 5, 'a back');
    expect(seen.slice(4)).toEqual([{ key: 'a', raw: 3, deleted: false, previous: undefined }]);
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
    await tick(); // applied on its own; the version check below shows it made no snapshot
    source.set('a.yaml', 'a: 2\n');
    await eventually(() => config.snapshot() !== first, 'new snapshot');
    expect(config.snapshot().version).toBe(first.version + 1);
    expect(first.value('a').int()).toBe(1);
    await config.close();
  });

  it('close() stops following sources', async () => {
    const source = memory({ 'a.yaml': 'a: 1\n' });
    // The source's watchers, to see that close() stopped them.
    const watchers: { stopped: boolean }[] = [];
    const watched: Source = {
      load: () => source.load(),
      async watch() {
        const w = await source.watch();
        const seen = { stopped: false };
        watchers.push(seen);
        return {
          [Symbol.asyncIterator]: () => w[Symbol.asyncIterator](),
          stop: () => {
            seen.stopped = true;
            return w.stop();
          },
        };
      },
    };
    const config = createConfig({ sources: [watched], logger: memoryLogger() });
    await config.load();
    await eventually(() => watchers.length === 1, 'source watched');
    await config.close();
    expect(watchers).toEqual([{ stopped: true }]);
    source.set('a.yaml', 'a: 2\n');
    expect(config.snapshot().value('a').int()).toBe(1);
  });
});
