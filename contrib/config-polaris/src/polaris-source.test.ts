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
import { createPolarisSource } from './index.ts';

const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);

let polaris: StartedServer;
beforeAll(async () => {
  polaris = await startServer('polaris');
});
afterAll(async () => {
  await polaris?.stop();
});

// How long a change may take to reach a watcher. A notification lost to a race between a watch
// long poll and a release is made up when that poll answers "no change" after 30 s and the source
// reads anyway (polaris-source.ts). On a loaded machine the race is wide enough to hit.
const CHANGE_ARRIVES_MS = 45_000;

/** What a client reads now: the content, or undefined when the file has no release. */
async function served(base: string, group: string, name: string): Promise<string | undefined> {
  const q = new URLSearchParams({ namespace: 'default', group, fileName: name });
  const body = (await (await fetch(`${base}/config/v1/GetConfigFile?${q}`)).json()) as {
    code: number;
    configFile?: { content?: string | null };
  };
  return body.code === 200000 ? (body.configFile?.content ?? '') : undefined;
}

/** Creates or updates a file and releases it (Polaris' open API), then waits until clients read it. */
async function release(base: string, group: string, name: string, content: string): Promise<void> {
  const res = await fetch(`${base}/config/v1/configfiles/createandpub`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ namespace: 'default', group, file_name: name, content, format: 'text' }),
  });
  const body = (await res.json()) as { code: number; info: string };
  if (body.code !== 200000) throw new Error(`polaris createandpub ${name}: ${body.code} ${body.info}`);
  await waitFor(async () => (await served(base, group, name)) === content, {
    timeout: 30_000,
    message: `polaris serving ${name}`,
  });
}

async function remove(base: string, group: string, name: string): Promise<void> {
  const q = new URLSearchParams({ namespace: 'default', group, name });
  await fetch(`${base}/config/v1/configfiles?${q}`, { method: 'DELETE' });
  await waitFor(async () => (await served(base, group, name)) === undefined, {
    timeout: 30_000,
    message: `polaris no longer serving ${name}`,
  });
}

describeConfigSourceContract(
  'polaris',
  async ({ namespace, initial }) => {
    const base = polaris.endpoints.http!;
    for (const d of initial) await release(base, namespace, d.name, d.value);
    const source = createPolarisSource({
      address: base,
      group: namespace,
      fileName: ['app.yaml', 'db.json'],
      logger: silentLogger,
    });
    return {
      source,
      set: (name, value) => release(base, namespace, name, value),
      delete: (name) => remove(base, namespace, name),
      close: async () => {
        await source.close();
        for (const f of ['app.yaml', 'db.json']) await remove(base, namespace, f);
      },
    };
  },
  { timeoutMs: CHANGE_ARRIVES_MS },
);

describe('polaris config source', () => {
  it('reports the file under its name with the format from its extension, like Go Kratos', async () => {
    const base = polaris.endpoints.http!;
    const group = uniqueName('kt');
    await release(base, group, 'helloworld.yaml', 'data:\n  greeting: Hola\n');
    const source = createPolarisSource({ address: base, group, fileName: 'helloworld.yaml' });
    try {
      expect((await source.load()).map((kv) => [kv.key, kv.format, text(kv)])).toEqual([
        ['helloworld.yaml', 'yaml', 'data:\n  greeting: Hola\n'],
      ]);
    } finally {
      await source.close();
      await remove(base, group, 'helloworld.yaml');
    }
  });

  it(
    'with createConfig: a malformed release keeps the last good config, a deleted file is reported',
    async () => {
      const base = polaris.endpoints.http!;
      const group = uniqueName('kt');
      await release(base, group, 'config.yaml', 'data:\n  greeting: Hola\n');
      const { lines: warnings, logger } = recordLogs();
      const source = createPolarisSource({
        address: base,
        group,
        fileName: 'config.yaml',
        logger: silentLogger,
      });
      const config = createConfig({ sources: [source], logger });
      try {
        await config.load();
        const deleted: boolean[] = [];
        config.watch('data.greeting', (_v, c) => deleted.push(c.deleted));
        await release(base, group, 'config.yaml', 'data:\n  greeting: Bonjour\n');
        await waitFor(() => config.value('data.greeting').string() === 'Bonjour', {
          timeout: CHANGE_ARRIVES_MS,
        });
        await release(base, group, 'config.yaml', 'data:\n  greeting: [unclosed\n');
        await waitFor(
          () => warnings.some((w) => w.includes('update rejected') && w.includes('config.yaml')),
          {
            timeout: CHANGE_ARRIVES_MS,
          },
        );
        expect(config.value('data.greeting').string()).toBe('Bonjour');
        await remove(base, group, 'config.yaml');
        await waitFor(() => deleted.includes(true), { timeout: CHANGE_ARRIVES_MS });
        expect(config.value('data.greeting').exists).toBe(false);
        // A file released again after its deletion is seen again.
        await release(base, group, 'config.yaml', 'data:\n  greeting: again\n');
        await waitFor(() => config.value('data.greeting').string('') === 'again', {
          timeout: CHANGE_ARRIVES_MS,
        });
      } finally {
        await config.close();
        await source.close();
        await remove(base, group, 'config.yaml');
      }
    },
    5 * CHANGE_ARRIVES_MS,
  );

  it('fails load with an error naming the file and the address when Polaris is unreachable', async () => {
    const address = `http://127.0.0.1:${await freePort()}`;
    const source = createPolarisSource({ address, group: 'g', fileName: 'a.yaml' });
    await expect(source.load()).rejects.toThrow(
      `polaris config source: cannot read file "default/g/a.yaml" from ${address}`,
    );
  });

  it('rejects invalid options at construction', () => {
    expect(() => createPolarisSource({ address: '127.0.0.1:8090', group: 'g', fileName: 'a' })).toThrow(
      /needs an address/,
    );
    expect(() => createPolarisSource({ address: 'http://x', group: '', fileName: 'a' })).toThrow(/group/);
    expect(() => createPolarisSource({ address: 'http://x', group: 'g', fileName: [] })).toThrow(/fileName/);
  });
});

describe('polaris config source: outage and recovery', () => {
  it('keeps the last good config while Polaris is down and follows it again after a restart', async () => {
    const server = await startServer('polaris');
    const base = server.endpoints.http!;
    const group = uniqueName('kt');
    await release(base, group, 'config.yaml', 'data:\n  greeting: before\n');
    const { lines: warnings, logger } = recordLogs();
    const source = createPolarisSource({ address: base, group, fileName: 'config.yaml', logger });
    const config = createConfig({ sources: [source], logger: silentLogger });
    try {
      await config.load();
      await server.stop();
      await waitFor(() => warnings.some((w) => w.includes('unreachable')), { timeout: 70_000 });
      expect(config.value('data.greeting').string()).toBe('before');
      // Polaris keeps its files (boltdb) across a restart with the same data directory.
      await server.restart();
      await release(base, group, 'config.yaml', 'data:\n  greeting: after\n');
      await waitFor(() => config.value('data.greeting').string('') === 'after', { timeout: 30_000 });
    } finally {
      await config.close();
      await source.close();
      await server.stop();
    }
  }, 180_000);
});
