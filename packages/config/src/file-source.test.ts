import {
  appendFile,
  mkdir,
  mkdtemp,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KratosError } from '@kratos/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { createFileSource } from './file-source.ts';
import { eventually, memoryLogger } from './test-helpers.test-util.ts';
import type { Config, Value } from './types.ts';

let dir: string;
const open: Config[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kratos-config-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await rm(dir, { recursive: true, force: true });
});

function track(config: Config): Config {
  open.push(config);
  return config;
}

async function writeConfigDir() {
  await writeFile(
    join(dir, 'a.yaml'),
    'server:\n  http:\n    addr: 0.0.0.0:8000\n    timeout: 1s\nname: a\n',
  );
  await writeFile(join(dir, 'b.json'), '{"server": {"grpc": {"addr": "0.0.0.0:9000"}}, "name": "b"}');
  await writeFile(join(dir, 'c.toml'), 'name = "c"\n[data.database]\ndriver = "mysql"\n');
  await writeFile(join(dir, '.hidden.yaml'), 'name: hidden\n');
  await writeFile(join(dir, 'README.md'), '# not config\n');
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'nested', 'x.yaml'), 'name: nested\n');
}

describe('file source', () => {
  it('reads a directory: yaml, json and toml merged in name order; hidden, unknown and nested skipped', async () => {
    await writeConfigDir();
    const source = createFileSource(dir, { watch: false });
    const kvs = await source.load();
    expect(kvs.map((kv) => [relative(dir, kv.key), kv.format])).toEqual([
      ['a.yaml', 'yaml'],
      ['b.json', 'json'],
      ['c.toml', 'toml'],
    ]);
    const config = track(createConfig({ sources: [source], logger: memoryLogger() }));
    await config.load();
    expect(config.value('name').string()).toBe('c');
    expect(config.value('server.http.addr').string()).toBe('0.0.0.0:8000');
    expect(config.value('server.grpc.addr').string()).toBe('0.0.0.0:9000');
    expect(config.value('data.database.driver').string()).toBe('mysql');
  });

  it('resolves a relative path against `base` (a folder or a module URL), not the working directory', async () => {
    await writeConfigDir();
    await mkdir(join(dir, 'cmd', 'server'), { recursive: true });
    const fromFolder = createFileSource('../../a.yaml', { base: join(dir, 'cmd', 'server') });
    expect(fromFolder.path).toBe(join(dir, 'a.yaml'));
    expect(await fromFolder.load()).toHaveLength(1);
    const fromUrl = createFileSource('../../b.json', {
      base: pathToFileURL(join(dir, 'cmd', 'server', 'main.ts')),
    });
    expect(fromUrl.path).toBe(join(dir, 'b.json'));
    const fromCwd = createFileSource('configs/none.yaml');
    expect(fromCwd.path).toBe(join(process.cwd(), 'configs/none.yaml'));
  });

  it('a missing path names the absolute path tried and how it was resolved', async () => {
    const source = createFileSource('../../configs', { base: join(dir, 'cmd', 'server') });
    const config = track(createConfig({ sources: [source], logger: memoryLogger() }));
    const err = await config.load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(KratosError.is(err) && err.reason).toBe('CONFIG_SOURCE');
    expect((err as Error).message).toBe(
      `config: no such file or directory: ${join(dir, 'configs')} ("../../configs" resolved against ${join(dir, 'cmd', 'server')})`,
    );
    expect((err as KratosError).metadata.path).toBe(join(dir, 'configs'));

    const fromCwd = await createFileSource('definitely-missing-dir/config.yaml')
      .load()
      .catch((e: unknown) => e);
    expect((fromCwd as Error).message).toMatch(
      /resolved against the working directory .*; pass `base: import\.meta\.dirname`/,
    );
  });

  it('a malformed file fails load() with the file, line and column', async () => {
    await writeFile(join(dir, 'config.yaml'), 'server:\n  http:\n    addr: "0.0.0.0:8000\n');
    const config = track(
      createConfig({
        sources: [createFileSource(join(dir, 'config.yaml'), { watch: false })],
        logger: memoryLogger(),
      }),
    );
    const err = (await config.load().catch((e: unknown) => e)) as KratosError;
    expect(err.reason).toBe('CONFIG_DECODE');
    expect(err.message).toContain(`malformed yaml in ${join(dir, 'config.yaml')}:`);
    expect(err.metadata.line).toMatch(/^\d+$/);
    expect(err.metadata.column).toMatch(/^\d+$/);
  });

  it('watches a directory: a change fires after the quiet period, broken YAML keeps the last good config, a deleted key is reported deleted', async () => {
    await writeConfigDir();
    const logger = memoryLogger();
    const config = track(
      createConfig({ sources: [createFileSource(dir, { debounce: 20, logger })], logger }),
    );
    await config.load();
    const events: { key: string; raw: unknown; deleted: boolean }[] = [];
    const record = (v: Value, c: { deleted: boolean }) =>
      events.push({ key: v.key, raw: v.raw, deleted: c.deleted });
    config.watch('server.http.timeout', record);
    config.watch('server.grpc.addr', record);

    await writeFile(
      join(dir, 'a.yaml'),
      'server:\n  http:\n    addr: 0.0.0.0:8000\n    timeout: 2s\nname: a\n',
    );
    await eventually(() => events.length === 1, 'timeout change seen');
    expect(events[0]).toEqual({ key: 'server.http.timeout', raw: '2s', deleted: false });
    expect(config.value('server.http.timeout').duration()).toBe(2000);

    const good = config.snapshot();
    await writeFile(join(dir, 'a.yaml'), 'server:\n  http: [oops\n');
    const file = join(dir, 'a.yaml');
    // The source says so once the broken file has stayed for the quiet period, instead of
    // publishing it: nothing reached the config.
    await eventually(
      () =>
        logger.lines.some((l) => String(l.fields.msg).includes('does not parse') && l.fields.path === file),
      'broken yaml logged with its file',
    );
    const line = logger.lines.find((l) => String(l.fields.msg).includes('does not parse'));
    expect(line?.level).toBe('warn');
    expect(String(line?.fields.error)).toMatch(
      new RegExp(`malformed yaml in ${file.replaceAll('.', '\\.')}:\\d+:\\d+`),
    );
    expect(config.snapshot()).toBe(good);
    expect(config.value('server.http.timeout').duration()).toBe(2000);

    await writeFile(
      join(dir, 'a.yaml'),
      'server:\n  http:\n    addr: 0.0.0.0:8000\n    timeout: 2s\nname: a\n',
    );
    await writeFile(join(dir, 'b.json'), '{"name": "b"}');
    await eventually(() => events.length === 2, 'grpc addr deletion seen');
    expect(events[1]).toEqual({ key: 'server.grpc.addr', raw: undefined, deleted: true });
    expect(config.value('server.grpc.addr').exists).toBe(false);
    expect(events).toHaveLength(2);
  });

  it('watches a single file saved by rename (as editors do) and a file that appears later in a directory', async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, '{"level": "info"}');
    const logger = memoryLogger();
    const config = track(
      createConfig({ sources: [createFileSource(file, { debounce: 20, logger })], logger }),
    );
    await config.load();
    const seen: unknown[] = [];
    config.watch('level', (v) => seen.push(v.raw));
    await writeFile(`${file}.tmp`, '{"level": "debug"}');
    await rename(`${file}.tmp`, file);
    await eventually(() => seen.length === 1, 'renamed file seen');
    expect(seen).toEqual(['debug']);

    // Deleted for a while (a failed reload is logged), then back.
    await unlink(file);
    await eventually(
      () => logger.lines.some((l) => String(l.fields.msg).includes('file reload failed')),
      'missing file logged',
    );
    expect(config.value('level').string()).toBe('debug');
    await writeFile(file, '{"level": "warn"}');
    await eventually(() => seen.length === 2, 'file back');
    expect(seen).toEqual(['debug', 'warn']);
  });

  it('never publishes a file written in pieces: truncated, then appended chunk by chunk', async () => {
    const file = join(dir, 'config.yaml');
    const first = 'server:\n  http:\n    addr: 0.0.0.0:8000\nname: first\n';
    // Every piece but the last stops mid-token, so no prefix is a valid document.
    const pieces = ['server:\n  http:\n    addr: "0.0.0.0:80', '00"\n    timeout: 2s\nname: "fu', 'll"\n'];
    await writeFile(file, first);
    const logger = memoryLogger();
    const watcher = await createFileSource(file, { debounce: 10, logger }).watch();
    // The reader always waits, so every set the source publishes is recorded.
    const published: string[] = [];
    const reading = (async () => {
      for await (const set of watcher) published.push(new TextDecoder().decode(set[0]?.value));
    })();
    await eventually(() => published.length === 1, 'the current file');
    // The writer waits, after each step, for the source to have read that state, found it
    // stable, and said why it keeps the last good set: the point where it would have
    // published it instead.
    const kept = async (why: RegExp, what: string) => {
      await eventually(
        () =>
          logger.lines.some(
            (l) => l.level === 'warn' && l.fields.path === file && why.test(String(l.fields.error)),
          ),
        what,
      );
    };
    await truncate(file, 0);
    await kept(/is empty$/, 'the empty file kept out');
    await appendFile(file, pieces[0] as string);
    await kept(/malformed yaml in .*:3:/, 'the first piece kept out');
    await appendFile(file, pieces[1] as string);
    await kept(/malformed yaml in .*:5:/, 'the second piece kept out');
    await appendFile(file, pieces[2] as string);
    await eventually(() => published.length === 2, 'the whole file');
    await watcher.stop();
    await reading;
    expect(published).toEqual([first, pieces.join('')]);
  });

  it('follows a Kubernetes ConfigMap style symlink swap', async () => {
    const mount = join(dir, 'mount');
    await mkdir(join(mount, 'v1'), { recursive: true });
    await mkdir(join(mount, 'v2'));
    await writeFile(join(mount, 'v1', 'config.yaml'), 'version: 1\n');
    await writeFile(join(mount, 'v2', 'config.yaml'), 'version: 2\n');
    await symlink('v1', join(mount, '..data'));
    await symlink(join('..data', 'config.yaml'), join(mount, 'config.yaml'));
    const config = track(
      createConfig({ sources: [createFileSource(mount, { debounce: 20 })], logger: memoryLogger() }),
    );
    await config.load();
    expect(config.value('version').int()).toBe(1);
    await symlink('v2', join(mount, '..data_tmp'));
    await rename(join(mount, '..data_tmp'), join(mount, '..data'));
    await eventually(() => config.value('version').int() === 2, 'swapped version read');
  });
});
