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
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdSource } from './index.ts';

const quiet = { log() {} };
const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);

let etcd: StartedServer;
let hosts: string;
let raw: Etcd3;
beforeAll(async () => {
  etcd = await startServer('etcd');
  hosts = etcd.endpoints.client!;
  raw = new Etcd3({ hosts });
});
afterAll(async () => {
  raw?.close();
  await etcd?.stop();
});

describeConfigSourceContract('etcd (prefix)', async ({ namespace, initial }) => {
  const base = `/${namespace}/`;
  for (const d of initial) await raw.put(base + d.name).value(d.value);
  const source = createEtcdSource({ key: base, prefix: true, connection: { hosts }, logger: quiet });
  return {
    source,
    set: async (name, value) => {
      await raw.put(base + name).value(value);
    },
    delete: async (name) => {
      await raw.delete().key(base + name);
    },
    keyFor: (name) => base + name,
    close: async () => {
      await source.close();
      await raw.delete().prefix(base);
    },
  };
});

describe('etcd config source', () => {
  it('reads one key like Go Kratos: full key, format from its extension, exact bytes', async () => {
    const key = `${uniqueName('kt')}/helloworld/config.yaml`;
    await raw.put(key).value('data:\n  greeting: Hola\n');
    await raw.put(`${key}.bak`).value('ignored: true\n');
    const source = createEtcdSource({ key, connection: { hosts }, logger: quiet });
    try {
      const kvs = await source.load();
      expect(kvs.map((kv) => [kv.key, kv.format, text(kv)])).toEqual([
        [key, 'yaml', 'data:\n  greeting: Hola\n'],
      ]);
    } finally {
      await source.close();
      await raw.delete().prefix(key);
    }
  });

  it('shares one etcd watch between watchers and closes it with the last', async () => {
    const key = `${uniqueName('kt')}/app.json`;
    const source = createEtcdSource({ key, connection: { hosts }, logger: quiet });
    try {
      const w1 = await source.watch();
      const w2 = await source.watch();
      expect(source.activeWatches).toBe(1);
      await raw.put(key).value('{"a":1}');
      await nextMatching(w1, (set) => set.length === 1, 3000);
      await nextMatching(w2, (set) => set.length === 1, 3000);
      await w1.stop();
      expect(source.activeWatches).toBe(1);
      await w2.stop();
      expect(source.activeWatches).toBe(0);
    } finally {
      await source.close();
      await raw.delete().key(key);
    }
  });

  it('with createConfig: updates apply, a malformed update keeps the last good config, a delete is reported', async () => {
    const key = `${uniqueName('kt')}/config.yaml`;
    await raw.put(key).value('data:\n  greeting: Hola\n');
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    const source = createEtcdSource({ key, connection: { hosts }, logger: quiet });
    const config = createConfig({ sources: [source], logger });
    try {
      await config.load();
      expect(config.value('data.greeting').string()).toBe('Hola');
      const changes: { value: string; deleted: boolean }[] = [];
      config.watch('data.greeting', (v, c) => changes.push({ value: v.string(''), deleted: c.deleted }));

      await raw.put(key).value('data:\n  greeting: Bonjour\n');
      await waitFor(() => config.value('data.greeting').string() === 'Bonjour', { timeout: 5000 });

      await raw.put(key).value('data:\n  greeting: [unclosed\n');
      await waitFor(() => warnings.some((w) => w.includes('update rejected') && w.includes(key)), {
        timeout: 5000,
      });
      expect(config.value('data.greeting').string()).toBe('Bonjour');

      await raw.delete().key(key);
      await waitFor(() => changes.some((c) => c.deleted), { timeout: 5000 });
      expect(config.value('data.greeting').exists).toBe(false);
      expect(changes).toEqual([
        { value: 'Bonjour', deleted: false },
        { value: '', deleted: true },
      ]);
    } finally {
      await config.close();
      await source.close();
      await raw.delete().key(key);
    }
  });

  it('fails load with an error naming the key and the address when etcd is unreachable', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const source = createEtcdSource({ key: 'a/b.yaml', connection: { hosts: dead }, timeoutMs: 1000 });
    try {
      await expect(source.load()).rejects.toThrow(
        new RegExp(`etcd config source: cannot read key "a/b.yaml" from ${dead}`),
      );
    } finally {
      await source.close();
    }
  });

  it('rejects invalid options at construction', () => {
    expect(() => createEtcdSource({ key: '', connection: { hosts } })).toThrow(/needs a key/);
    expect(() => createEtcdSource({ key: 'x' })).toThrow(/client or connection/);
  });
});

describe('etcd config source: outage and recovery', () => {
  it('keeps the last good config while etcd is down and picks up changes when it returns', async () => {
    const server = await startServer('etcd');
    const url = server.endpoints.client!;
    const writer = () => new Etcd3({ hosts: url });
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    const key = 'svc/config.yaml';
    let w = writer();
    await w.put(key).value('data:\n  greeting: before\n');
    w.close();
    const source = createEtcdSource({ key, connection: { hosts: url }, logger });
    const config = createConfig({ sources: [source], logger: quiet });
    try {
      await config.load();
      expect(config.value('data.greeting').string()).toBe('before');

      await server.stop();
      await waitFor(() => warnings.some((l) => l.includes('disconnected') || l.includes('unreachable')), {
        timeout: 15_000,
      });
      expect(config.value('data.greeting').string()).toBe('before');

      await server.restart();
      w = writer();
      await w.put(key).value('data:\n  greeting: after\n');
      w.close();
      await waitFor(() => config.value('data.greeting').string() === 'after', { timeout: 30_000 });
    } finally {
      await config.close();
      await source.close();
      await server.stop();
    }
  }, 90_000);
});
