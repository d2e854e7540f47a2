import { createHmac } from 'node:crypto';
import { createConfig } from '@kratos/config';
import type { KeyValue } from '@kratos/core';
import {
  type ApolloFake,
  createApolloFake,
  describeConfigSourceContract,
  freePort,
  nextMatching,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloSource } from './index.ts';

const quiet = { log() {} };
const text = (kv: KeyValue | undefined) => (kv ? new TextDecoder().decode(kv.value) : undefined);

let apollo: ApolloFake;
beforeAll(async () => {
  // A short hold, so the tests also go through Apollo's "304, poll again" answers.
  apollo = await createApolloFake({ holdMs: 500 });
});
afterAll(async () => {
  await apollo?.close();
});

// The fake cannot delete a namespace (Apollo has no client-visible deletion either), so the
// mutation cases of the contract are covered by the release tests below instead.
describeConfigSourceContract(
  'apollo (original config)',
  ({ namespace, initial }) => {
    for (const d of initial) apollo.publish(namespace, 'default', d.name, { content: d.value });
    const source = createApolloSource({
      endpoint: apollo.url,
      appId: namespace,
      namespaces: ['app.yaml', 'db.json'],
      originalConfig: true,
      logger: quiet,
    });
    return { source, close: () => source.close() };
  },
  { mutate: false },
);

describe('apollo config source', () => {
  it('hands namespaces over as Go Kratos does by default: each tree under the namespace name', async () => {
    const appId = uniqueName('kt');
    apollo.publish(appId, 'default', 'application', { 'data.greeting': 'Hola', 'server.http.addr': ':8000' });
    apollo.publish(appId, 'default', 'app.yaml', { content: 'data:\n  list:\n    - a\n    - b\n' });
    apollo.publish(appId, 'default', 'my.db.json', { content: '{"dsn":"root@tcp/test"}' });
    const source = createApolloSource({
      endpoint: apollo.url,
      appId,
      namespaces: 'application,app.yaml,my.db.json',
    });
    const config = createConfig({ sources: [source], logger: quiet });
    try {
      const kvs = await source.load();
      expect(kvs.map((kv) => [kv.key, kv.format])).toEqual([
        ['application', 'json'],
        ['app.yaml', 'yaml'],
        ['my.db.json', 'json'],
      ]);
      expect(JSON.parse(text(kvs[0])!)).toEqual({
        application: { data: { greeting: 'Hola' }, server: { http: { addr: ':8000' } } },
      });
      await config.load();
      expect(config.value('application.data.greeting').string()).toBe('Hola');
      expect(
        config
          .value('app.data.list')
          .array()
          .map((v) => v.string()),
      ).toEqual(['a', 'b']);
      expect(config.value('my.db.dsn').string()).toBe('root@tcp/test');
    } finally {
      await config.close();
      await source.close();
    }
  });

  it('follows releases through the notification long poll, shared by every watcher', async () => {
    const appId = uniqueName('kt');
    apollo.publish(appId, 'default', 'app.yaml', { content: 'v: 1\n' });
    const source = createApolloSource({
      endpoint: apollo.url,
      appId,
      namespaces: ['app.yaml', 'later.json'],
      originalConfig: true,
      logger: quiet,
    });
    try {
      const w1 = await source.watch();
      const w2 = await source.watch();
      expect(source.activeWatches).toBe(1);
      await nextMatching(w1, (s) => text(s[0]) === 'v: 1\n', 3000);
      apollo.publish(appId, 'default', 'app.yaml', { content: 'v: 2\n' });
      apollo.publish(appId, 'default', 'later.json', { content: '{"x":1}' });
      for (const w of [w1, w2]) {
        const set = await nextMatching(w, (s) => s.length === 2 && text(s[0]) === 'v: 2\n', 5000);
        expect(set.map((kv) => kv.key)).toEqual(['app.yaml', 'later.json']);
      }
      await w1.stop();
      await w2.stop();
      expect(source.activeWatches).toBe(0);
      await waitFor(() => apollo.pendingPolls === 0, { timeout: 3000 });
    } finally {
      await source.close();
    }
  });

  it('with createConfig: a malformed release keeps the last good config and is logged with the namespace', async () => {
    const appId = uniqueName('kt');
    apollo.publish(appId, 'default', 'config.yaml', { content: 'data:\n  greeting: Hola\n' });
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    const source = createApolloSource({
      endpoint: apollo.url,
      appId,
      namespaces: 'config.yaml',
      originalConfig: true,
      logger: quiet,
    });
    const config = createConfig({ sources: [source], logger });
    try {
      await config.load();
      apollo.publish(appId, 'default', 'config.yaml', { content: 'data:\n  greeting: Bonjour\n' });
      await waitFor(() => config.value('data.greeting').string() === 'Bonjour', { timeout: 5000 });
      apollo.publish(appId, 'default', 'config.yaml', { content: 'data:\n  greeting: [unclosed\n' });
      await waitFor(() => warnings.some((w) => w.includes('update rejected') && w.includes('config.yaml')), {
        timeout: 5000,
      });
      expect(config.value('data.greeting').string()).toBe('Bonjour');
    } finally {
      await config.close();
      await source.close();
    }
  });

  it('signs requests with the access key secret as Apollo clients do', async () => {
    const appId = uniqueName('kt');
    apollo.publish(appId, 'default', 'application', { a: '1' });
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
      return fetch(input, init);
    };
    const source = createApolloSource({
      endpoint: apollo.url,
      appId,
      secret: 's3cret',
      fetch: recordingFetch,
    });
    await source.load();
    const [req] = seen;
    const path = new URL(req!.url).pathname;
    const expected = createHmac('sha1', 's3cret')
      .update(`${req!.headers.Timestamp}\n${path}`)
      .digest('base64');
    expect(req!.headers.Authorization).toBe(`Apollo ${appId}:${expected}`);
  });

  it('fails load with an error naming the namespace and the address when Apollo is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const source = createApolloSource({ endpoint, appId: 'app' });
    await expect(source.load()).rejects.toThrow(
      `apollo config source: cannot read namespace "application" of app "app" cluster "default" from ${endpoint}`,
    );
  });

  it('rejects invalid options at construction', () => {
    expect(() => createApolloSource({ endpoint: 'localhost:8080', appId: 'a' })).toThrow(/endpoint/);
    expect(() => createApolloSource({ endpoint: 'http://x', appId: '' })).toThrow(/appId/);
    expect(() => createApolloSource({ endpoint: 'http://x', appId: 'a', namespaces: ' , ' })).toThrow(
      /namespace/,
    );
  });
});

describe('apollo config source: outage and recovery', () => {
  it('keeps the last good config while Apollo is down and follows it again when it returns', async () => {
    const port = await freePort();
    let server = await createApolloFake({ port, holdMs: 500 });
    server.publish('svc', 'default', 'config.yaml', { content: 'data:\n  greeting: before\n' });
    const warnings: string[] = [];
    const logger = {
      log: (level: string, ...kv: unknown[]) => {
        if (level === 'warn') warnings.push(kv.join(' '));
      },
    };
    const source = createApolloSource({
      endpoint: server.url,
      appId: 'svc',
      namespaces: 'config.yaml',
      originalConfig: true,
      logger,
    });
    const config = createConfig({ sources: [source], logger: quiet });
    try {
      await config.load();
      await server.close();
      await waitFor(() => warnings.some((w) => w.includes('unreachable')), { timeout: 10_000 });
      expect(config.value('data.greeting').string()).toBe('before');
      server = await createApolloFake({ port, holdMs: 500 });
      server.publish('svc', 'default', 'config.yaml', { content: 'data:\n  greeting: after\n' });
      await waitFor(() => config.value('data.greeting').string('') === 'after', { timeout: 15_000 });
    } finally {
      await config.close();
      await source.close();
      await server.close();
    }
  }, 40_000);
});
