import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig } from '@kratos/config';
import type { KeyValue } from '@kratos/core';
import {
  describeConfigSourceContract,
  freePort,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNacosSource } from './index.ts';

const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);
// The client keeps a snapshot of every config it read; keep the tests' out of $HOME.
const cacheDir = mkdtempSync(join(tmpdir(), 'kt-nacos-cache-'));
// How long a change may take to reach a watcher. Nacos' long poll compares md5s, then registers the
// waiting request on another thread (LongPollingService.addLongPollingClient); a change published in
// between is not pushed, and the client hears of it when its 30 s poll times out and asks again. On
// a loaded machine that window is wide enough to hit, so a change is only sure to arrive within one
// poll period plus the next request.
const CHANGE_ARRIVES_MS = 45_000;

let nacos: StartedServer;
/** Publishes and removes configs through Nacos' open API, not through the code under test. */
async function publish(server: string, dataId: string, group: string, content: string): Promise<void> {
  const res = await fetch(`http://${server}/nacos/v1/cs/configs`, {
    method: 'POST',
    body: new URLSearchParams({ dataId, group, content }),
  });
  if (!res.ok || (await res.text()) !== 'true') throw new Error(`nacos publish ${dataId}: ${res.status}`);
  // Nacos serves reads from a cache it refreshes after the write: wait until the write is readable.
  const query = new URLSearchParams({ dataId, group });
  await waitFor(
    async () => (await (await fetch(`http://${server}/nacos/v1/cs/configs?${query}`)).text()) === content,
    { timeout: 30_000, message: `nacos serving ${dataId} after publish` },
  );
}
async function remove(server: string, dataId: string, group: string): Promise<void> {
  const res = await fetch(`http://${server}/nacos/v1/cs/configs?${new URLSearchParams({ dataId, group })}`, {
    method: 'DELETE',
  });
  if (!res.ok) throw new Error(`nacos remove ${dataId}: ${res.status}`);
}

beforeAll(async () => {
  // Nacos' embedded Derby can time out while it initialises on a saturated machine ("Login timeout
  // exceeded"): one more try with a fresh data directory, before giving up.
  try {
    nacos = await startServer('nacos');
  } catch {
    nacos = await startServer('nacos');
  }
}, 400_000);
afterAll(async () => {
  await nacos?.stop();
});

describeConfigSourceContract(
  'nacos',
  async ({ namespace, initial }) => {
    const server = nacos.endpoints.http!;
    for (const d of initial) await publish(server, d.name, namespace, d.value);
    const source = createNacosSource({
      dataId: ['app.yaml', 'db.json'],
      group: namespace,
      connection: { serverAddr: server, cacheDir },
      logger: silentLogger,
    });
    return {
      source,
      set: (name, value) => publish(server, name, namespace, value),
      delete: (name) => remove(server, name, namespace),
      close: async () => {
        await source.close();
        for (const id of ['app.yaml', 'db.json']) await remove(server, id, namespace);
      },
    };
  },
  { timeoutMs: CHANGE_ARRIVES_MS },
);

describe('nacos config source', () => {
  it('reads a dataId like Go Kratos: key = dataId, format from its extension', async () => {
    const server = nacos.endpoints.http!;
    const group = uniqueName('kt');
    await publish(server, 'helloworld.yaml', group, 'data:\n  greeting: Hola\n');
    const source = createNacosSource({
      dataId: 'helloworld.yaml',
      group,
      connection: { serverAddr: server, cacheDir },
    });
    try {
      expect((await source.load()).map((kv) => [kv.key, kv.format, text(kv)])).toEqual([
        ['helloworld.yaml', 'yaml', 'data:\n  greeting: Hola\n'],
      ]);
    } finally {
      await source.close();
      await remove(server, 'helloworld.yaml', group);
    }
  });

  it(
    'with createConfig: a malformed update keeps the last good config, a delete is reported',
    async () => {
      const server = nacos.endpoints.http!;
      const group = uniqueName('kt');
      await publish(server, 'config.yaml', group, 'data:\n  greeting: Hola\n');
      const { lines: warnings, logger } = recordLogs();
      const source = createNacosSource({
        dataId: 'config.yaml',
        group,
        connection: { serverAddr: server, cacheDir },
        logger: silentLogger,
      });
      const config = createConfig({ sources: [source], logger });
      try {
        await config.load();
        const deleted: boolean[] = [];
        config.watch('data.greeting', (_v, c) => deleted.push(c.deleted));
        await publish(server, 'config.yaml', group, 'data:\n  greeting: Bonjour\n');
        await waitFor(() => config.value('data.greeting').string() === 'Bonjour', {
          timeout: CHANGE_ARRIVES_MS,
        });
        await publish(server, 'config.yaml', group, 'data:\n  greeting: [unclosed\n');
        await waitFor(
          () => warnings.some((w) => w.includes('update rejected') && w.includes('config.yaml')),
          {
            timeout: CHANGE_ARRIVES_MS,
          },
        );
        expect(config.value('data.greeting').string()).toBe('Bonjour');
        await remove(server, 'config.yaml', group);
        await waitFor(() => deleted.includes(true), { timeout: CHANGE_ARRIVES_MS });
        expect(config.value('data.greeting').exists).toBe(false);
      } finally {
        await config.close();
        await source.close();
        await remove(server, 'config.yaml', group);
      }
    },
    4 * CHANGE_ARRIVES_MS,
  );

  it('fails load with an error naming the dataId and the address when Nacos is unreachable', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const source = createNacosSource({
      dataId: 'never-read-before.yaml',
      group: uniqueName('kt'),
      connection: {
        serverAddr: addr,
        cacheDir: mkdtempSync(join(tmpdir(), 'kt-nacos-empty-')),
        requestTimeout: 1000,
      },
      logger: silentLogger,
    });
    try {
      await expect(source.load()).rejects.toThrow(
        `nacos config source: cannot read dataId "never-read-before.yaml"`,
      );
      await expect(source.load()).rejects.toThrow(addr);
    } finally {
      await source.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createNacosSource({ dataId: '', connection: {} })).toThrow(/needs a dataId/);
    expect(() => createNacosSource({ dataId: 'a.yaml' })).toThrow(/client or connection/);
  });
});

// Last in the file: it stops and restarts the shared server (a second Nacos JVM next to it is
// more than a loaded 2-core machine starts reliably).
describe('nacos config source: outage and recovery', () => {
  it('keeps the last good config while Nacos is down and follows it again after a restart', async () => {
    const addr = nacos.endpoints.http!;
    const group = uniqueName('kt');
    await publish(addr, 'config.yaml', group, 'data:\n  greeting: before\n');
    const { lines: warnings, logger } = recordLogs();
    const source = createNacosSource({
      dataId: 'config.yaml',
      group,
      connection: { serverAddr: addr, cacheDir: mkdtempSync(join(tmpdir(), 'kt-nacos-outage-')) },
      logger,
    });
    const config = createConfig({ sources: [source], logger: silentLogger });
    try {
      await config.load();
      expect(config.value('data.greeting').string()).toBe('before');
      await nacos.stop();
      await waitFor(() => warnings.length > 0, { timeout: 40_000, message: 'a warning about the outage' });
      expect(config.value('data.greeting').string()).toBe('before');
      // Nacos keeps its configs across a restart with the same data directory (and the same ports).
      await nacos.restart();
      expect(config.value('data.greeting').string()).toBe('before');
      await publish(addr, 'config.yaml', group, 'data:\n  greeting: after\n');
      await waitFor(() => config.value('data.greeting').string('') === 'after', {
        timeout: CHANGE_ARRIVES_MS,
      });
    } finally {
      await config.close();
      await source.close();
    }
  }, 240_000);
});
