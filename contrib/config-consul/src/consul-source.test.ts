import { createConfig } from '@kratos/config';
import type { KeyValue } from '@kratos/core';
import {
  describeConfigSourceContract,
  freePort,
  nextMatching,
  type StartedServer,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsulSource } from './index.ts';

const quiet = { log() {} };
const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);

let consul: StartedServer;
let base: string;
const connectionOf = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};
/** Writes through Consul's HTTP API directly, so the tests do not lean on the code under test. */
async function kv(method: 'PUT' | 'DELETE', key: string, value?: string, at = base): Promise<void> {
  const res = await fetch(`${at}/v1/kv/${key}${method === 'DELETE' && key.endsWith('/') ? '?recurse' : ''}`, {
    method,
    ...(value !== undefined ? { body: value } : {}),
  });
  if (!res.ok) throw new Error(`consul ${method} ${key}: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  consul = await startServer('consul');
  base = consul.endpoints.http!;
});
afterAll(async () => {
  await consul?.stop();
});

describeConfigSourceContract('consul', async ({ namespace, initial }) => {
  for (const d of initial) await kv('PUT', `${namespace}/${d.name}`, d.value);
  const source = createConsulSource({ path: namespace, connection: connectionOf(base), logger: quiet });
  return {
    source,
    set: (name, value) => kv('PUT', `${namespace}/${name}`, value),
    delete: (name) => kv('DELETE', `${namespace}/${name}`),
    close: async () => {
      await source.close();
      await kv('DELETE', `${namespace}/`);
    },
  };
});

describe('consul config source', () => {
  it('reports keys relative to the path like Go Kratos, or one key under its full name', async () => {
    const ns = uniqueName('kt');
    await kv('PUT', `${ns}/config.yaml`, 'a: 1\n');
    await kv('PUT', `${ns}/sub/`);
    await kv('PUT', `${ns}/sub/db.json`, '{"b":2}');
    const dir = createConsulSource({ path: ns, connection: connectionOf(base) });
    const one = createConsulSource({ path: `${ns}/config.yaml`, connection: connectionOf(base) });
    try {
      expect((await dir.load()).map((kv) => [kv.key, kv.format, text(kv)])).toEqual([
        ['config.yaml', 'yaml', 'a: 1\n'],
        ['sub/db.json', 'json', '{"b":2}'],
      ]);
      expect((await one.load()).map((kv) => kv.key)).toEqual([`${ns}/config.yaml`]);
    } finally {
      await dir.close();
      await one.close();
      await kv('DELETE', `${ns}/`);
    }
  });

  it('with createConfig: a malformed update keeps the last good config, a delete is reported', async () => {
    const ns = uniqueName('kt');
    await kv('PUT', `${ns}/config.yaml`, 'data:\n  greeting: Hola\n');
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    const source = createConsulSource({ path: ns, connection: connectionOf(base), logger: quiet });
    const config = createConfig({ sources: [source], logger });
    try {
      await config.load();
      const deleted: boolean[] = [];
      config.watch('data.greeting', (_v, c) => deleted.push(c.deleted));
      await kv('PUT', `${ns}/config.yaml`, 'data:\n  greeting: [unclosed\n');
      await waitFor(() => warnings.some((w) => w.includes('update rejected') && w.includes('config.yaml')), {
        timeout: 5000,
      });
      expect(config.value('data.greeting').string()).toBe('Hola');
      await kv('DELETE', `${ns}/config.yaml`);
      await waitFor(() => deleted.includes(true), { timeout: 5000 });
      expect(config.value('data.greeting').exists).toBe(false);
    } finally {
      await config.close();
      await source.close();
      await kv('DELETE', `${ns}/`);
    }
  });

  it('shares one blocking query between watchers', async () => {
    const ns = uniqueName('kt');
    const source = createConsulSource({ path: ns, connection: connectionOf(base), logger: quiet });
    try {
      const w1 = await source.watch();
      const w2 = await source.watch();
      expect(source.activeWatches).toBe(1);
      await kv('PUT', `${ns}/a.json`, '{}');
      await nextMatching(w1, (s) => s.length === 1, 3000);
      await nextMatching(w2, (s) => s.length === 1, 3000);
      await w1.stop();
      await w2.stop();
      expect(source.activeWatches).toBe(0);
    } finally {
      await source.close();
      await kv('DELETE', `${ns}/`);
    }
  });

  it('fails load with an error naming the path and the address when Consul is unreachable', async () => {
    const port = await freePort();
    const source = createConsulSource({ path: 'app', connection: { host: '127.0.0.1', port } });
    await expect(source.load()).rejects.toThrow(
      `consul config source: cannot read "app" from http://127.0.0.1:${port}`,
    );
  });

  it('rejects invalid options at construction', () => {
    expect(() => createConsulSource({ path: '', connection: {} })).toThrow(/needs a path/);
    expect(() => createConsulSource({ path: 'x' })).toThrow(/client or connection/);
  });
});

describe('consul config source: outage and recovery', () => {
  it('keeps the last good config while Consul is down and follows it again when it returns', async () => {
    const server = await startServer('consul');
    const url = server.endpoints.http!;
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    await kv('PUT', 'svc/config.yaml', 'data:\n  greeting: before\n', url);
    const source = createConsulSource({ path: 'svc', connection: connectionOf(url), logger });
    const config = createConfig({ sources: [source], logger: quiet });
    try {
      await config.load();
      await server.stop();
      await waitFor(() => warnings.some((l) => l.includes('unreachable')), { timeout: 15_000 });
      expect(config.value('data.greeting').string()).toBe('before');
      // consul -dev keeps its KV in memory: the restarted agent starts empty, so write again.
      await server.restart();
      await kv('PUT', 'svc/config.yaml', 'data:\n  greeting: after\n', url);
      await waitFor(() => config.value('data.greeting').string('') === 'after', { timeout: 30_000 });
    } finally {
      await config.close();
      await source.close();
      await server.stop();
    }
  }, 90_000);
});
