import { createMemorySource, jsonCodec, KratosError } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { memoryLogger } from './test-helpers.test-util.ts';
import type { Decoder } from './types.ts';

async function loadError(key: string, text: string, format = key.slice(key.lastIndexOf('.') + 1)) {
  const config = createConfig({
    sources: [createMemorySource([{ key, value: new TextEncoder().encode(text), format }])],
    logger: memoryLogger(),
  });
  const err = await config.load().then(
    () => undefined,
    (e: unknown) => e,
  );
  await config.close();
  if (!KratosError.is(err)) throw new Error(`expected a KratosError, got ${String(err)}`);
  return err;
}

async function loadTree(
  docs: { key: string; text: string; format?: string }[],
  decoders?: Record<string, Decoder>,
) {
  const config = createConfig({
    sources: [
      createMemorySource(
        docs.map((d) => ({
          key: d.key,
          value: new TextEncoder().encode(d.text),
          format: d.format ?? d.key.slice(d.key.lastIndexOf('.') + 1),
        })),
      ),
    ],
    logger: memoryLogger(),
    decoders,
  });
  await config.load();
  return config;
}

describe('malformed documents name the file, line and column', () => {
  it('yaml', async () => {
    const err = await loadError('/etc/app/config.yaml', 'server:\n  http:\n    addr: [1, 2\n  grpc: x\n');
    expect(err.reason).toBe('CONFIG_DECODE');
    expect(err.message).toMatch(
      /^config: malformed yaml in \/etc\/app\/config\.yaml:\d+:\d+ \(line \d+, column \d+\): /,
    );
    expect(err.metadata).toMatchObject({ key: '/etc/app/config.yaml', format: 'yaml' });
    expect(Number(err.metadata.line)).toBeGreaterThanOrEqual(3);
  });

  it('json, with the position V8 reports', async () => {
    const err = await loadError('/etc/app/config.json', '{\n  "a": 1,\n  "b": 2,\n}\n');
    expect(err.message).toBe(
      'config: malformed json in /etc/app/config.json:4:1 (line 4, column 1): Expected double-quoted property name',
    );
    expect(err.metadata).toMatchObject({ line: '4', column: '1' });
  });

  it('json, with a position V8 does not report', async () => {
    const err = await loadError('c.json', '{\n  "a": [1,\n    2,]\n}');
    expect(err.message).toBe(
      'config: malformed json in c.json:3:7 (line 3, column 7): unexpected character "]"',
    );
  });

  it('json cut short', async () => {
    const err = await loadError('c.json', '{\n  "a": 1');
    expect(err.metadata).toMatchObject({ line: '2', column: '9' });
  });

  it('toml', async () => {
    const err = await loadError('/srv/app.toml', 'title = "x"\n[server]\naddr = = 1\n');
    expect(err.message).toMatch(/^config: malformed toml in \/srv\/app\.toml:3:8 \(line 3, column 8\): /);
  });

  it('a top level that is not a mapping', async () => {
    const err = await loadError('list.yaml', '- a\n- b\n');
    expect(err.message).toBe('config: the top level of list.yaml must be a mapping, not an array');
  });

  it('an unknown format names the key and how to add a decoder', async () => {
    const err = await loadError('app.ini', 'a=1', 'ini');
    expect(err.message).toMatch(/no decoder for format "ini" of app\.ini .*`decoders` option/);
  });
});

describe('decoders', () => {
  it('yaml merge keys, empty documents, toml dates and the yml extension', async () => {
    const config = await loadTree([
      { key: 'a.yaml', text: 'base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n' },
      { key: 'empty.yaml', text: '# nothing here\n' },
      { key: 'b.toml', text: 'when = 1979-05-27T07:32:00Z\n[owner]\nname = "tom"\n' },
      { key: 'c.yml', text: 'short: true\n', format: 'yml' },
    ]);
    expect(config.value('derived').raw).toEqual({ x: 1, y: 3 });
    expect(config.value('when').string()).toBe('1979-05-27T07:32:00.000Z');
    expect(config.value('owner.name').string()).toBe('tom');
    expect(config.value('short').bool()).toBe(true);
    await config.close();
  });

  it('pluggable by format name: a function or a core Codec', async () => {
    const ini: Decoder = (data) =>
      Object.fromEntries(
        new TextDecoder()
          .decode(data)
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => l.split('=').map((s) => s.trim())),
      );
    const config = await loadTree(
      [
        { key: 'a.ini', text: 'name = x\nport = 80\n' },
        { key: 'b.data', text: '{"fromCodec": true}', format: 'data' },
      ],
      { ini, data: jsonCodec },
    );
    expect(config.value('name').string()).toBe('x');
    expect(config.value('port').int()).toBe(80);
    expect(config.value('fromCodec').bool()).toBe(true);
    await config.close();
  });

  it('a KeyValue without format is one string value at its (dotted) key, as in Go', async () => {
    const config = await loadTree([
      { key: 'A_B', text: '1', format: '' },
      { key: 'server.http.addr', text: ':8000', format: '' },
    ]);
    expect(config.value('A_B').raw).toBe('1');
    expect(config.value('server.http.addr').string()).toBe(':8000');
    await config.close();
  });
});
