import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApolloFake, createApolloFake, waitFor } from './index.ts';

interface ApolloConfig {
  appId: string;
  cluster: string;
  namespaceName: string;
  configurations: Record<string, string>;
  releaseKey: string;
}
interface ApolloNotification {
  namespaceName: string;
  notificationId: number;
  messages: { details: Record<string, number> };
}

const notificationsUrl = (base: string, appId: string, cluster: string, list: unknown) =>
  `${base}/notifications/v2?appId=${appId}&cluster=${cluster}&notifications=${encodeURIComponent(JSON.stringify(list))}`;

describe('createApolloFake', () => {
  let fake: ApolloFake;
  beforeEach(async () => {
    fake = await createApolloFake({ holdMs: 200 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('serves a published namespace with Apollo field names', async () => {
    fake.publish('SampleApp', 'default', 'application', { timeout: '100', 'batch.size': '20' });
    const res = await fetch(`${fake.url}/configs/SampleApp/default/application?ip=127.0.0.1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as ApolloConfig;
    expect(body).toEqual({
      appId: 'SampleApp',
      cluster: 'default',
      namespaceName: 'application',
      configurations: { timeout: '100', 'batch.size': '20' },
      releaseKey: expect.stringMatching(/^\d{14}-[0-9a-f]+$/),
    });
  });

  it('answers 304 for the current releaseKey and 200 with a new one after a publish', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    const first = (await (await fetch(`${fake.url}/configs/app/default/application`)).json()) as ApolloConfig;
    const same = await fetch(`${fake.url}/configs/app/default/application?releaseKey=${first.releaseKey}`);
    expect(same.status).toBe(304);
    fake.publish('app', 'default', 'application', { a: '2' });
    const next = await fetch(`${fake.url}/configs/app/default/application?releaseKey=${first.releaseKey}`);
    expect(next.status).toBe(200);
    const body = (await next.json()) as ApolloConfig;
    expect(body.configurations).toEqual({ a: '2' });
    expect(body.releaseKey).not.toBe(first.releaseKey);
  });

  it('answers 404 for an unknown namespace or app', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    expect((await fetch(`${fake.url}/configs/app/default/nope`)).status).toBe(404);
    expect((await fetch(`${fake.url}/configs/other/default/application`)).status).toBe(404);
    expect((await fetch(`${fake.url}/unknown/path`)).status).toBe(404);
  });

  it('treats "x.properties" as "x", keeps other formats whole, and falls back to the default cluster', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    fake.publish('app', 'default', 'db.yaml', { content: 'dsn: x\n' });
    const props = (await (
      await fetch(`${fake.url}/configs/app/default/application.properties`)
    ).json()) as ApolloConfig;
    expect(props.namespaceName).toBe('application');
    const yaml = (await (await fetch(`${fake.url}/configs/app/default/db.yaml`)).json()) as ApolloConfig;
    expect(yaml.configurations).toEqual({ content: 'dsn: x\n' });
    const fallback = (await (
      await fetch(`${fake.url}/configs/app/SHAJQ/application`)
    ).json()) as ApolloConfig;
    expect(fallback.cluster).toBe('default');
    fake.publish('app', 'SHAJQ', 'application', { a: 'cluster' });
    const own = (await (await fetch(`${fake.url}/configs/app/SHAJQ/application`)).json()) as ApolloConfig;
    expect(own).toMatchObject({ cluster: 'SHAJQ', configurations: { a: 'cluster' } });
  });

  it('serves /configfiles/json with the bare configurations', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    const res = await fetch(`${fake.url}/configfiles/json/app/default/application`);
    expect(await res.json()).toEqual({ a: '1' });
  });

  it('answers a poll at once when the client is behind, with messages.details', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    const res = await fetch(
      notificationsUrl(fake.url, 'app', 'default', [{ namespaceName: 'application', notificationId: -1 }]),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as ApolloNotification[];
    expect(body).toHaveLength(1);
    const [n] = body;
    expect(n?.namespaceName).toBe('application');
    expect(n?.notificationId).toBeGreaterThan(0);
    expect(n?.messages.details).toEqual({ 'app+default+application': n?.notificationId });
  });

  it('holds an up-to-date poll and answers it when the namespace is published', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    const list = [{ namespaceName: 'application', notificationId: -1 }];
    const [current] = (await (
      await fetch(notificationsUrl(fake.url, 'app', 'default', list))
    ).json()) as ApolloNotification[];
    const held = fetch(
      notificationsUrl(fake.url, 'app', 'default', [
        { namespaceName: 'application', notificationId: current?.notificationId },
        { namespaceName: 'other', notificationId: -1 },
      ]),
    );
    await waitFor(() => fake.pendingPolls === 1, { message: 'poll held' });
    fake.publish('app', 'default', 'unrelated', { x: '1' });
    fake.publish('other-app', 'default', 'application', { x: '1' });
    expect(fake.pendingPolls).toBe(1);
    fake.publish('app', 'default', 'application', { a: '2' });
    const res = await held;
    expect(res.status).toBe(200);
    const body = (await res.json()) as ApolloNotification[];
    expect(body.map((n) => n.namespaceName)).toEqual(['application']);
    expect(body[0]?.notificationId).toBeGreaterThan(current?.notificationId ?? 0);
    expect(fake.pendingPolls).toBe(0);
  });

  it('answers 304 when the hold time passes with no change', async () => {
    const res = await fetch(
      notificationsUrl(fake.url, 'app', 'default', [{ namespaceName: 'application', notificationId: -1 }]),
    );
    expect(res.status).toBe(304);
    expect(fake.pendingPolls).toBe(0);
  });

  it('answers the name the client sent (application.properties)', async () => {
    fake.publish('app', 'default', 'application', { a: '1' });
    const res = await fetch(
      notificationsUrl(fake.url, 'app', 'default', [
        { namespaceName: 'application.properties', notificationId: -1 },
      ]),
    );
    const body = (await res.json()) as ApolloNotification[];
    expect(body[0]?.namespaceName).toBe('application.properties');
  });

  it('rejects malformed polls with 400', async () => {
    const bad = [
      `${fake.url}/notifications/v2?appId=app&cluster=default`,
      `${fake.url}/notifications/v2?appId=app&cluster=default&notifications=not-json`,
      `${fake.url}/notifications/v2?appId=app&cluster=default&notifications=${encodeURIComponent('[]')}`,
      `${fake.url}/notifications/v2?appId=app&cluster=default&notifications=${encodeURIComponent('[{"x":1}]')}`,
      `${fake.url}/configs/%E0%A4%A/default/application`,
    ];
    for (const url of bad) {
      const res = await fetch(url);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBeTruthy();
    }
    expect((await fetch(`${fake.url}/configs/app/default/application`, { method: 'POST' })).status).toBe(405);
  });

  it('drops a held poll when the client goes away', async () => {
    const controller = new AbortController();
    const held = fetch(
      notificationsUrl(fake.url, 'app', 'default', [{ namespaceName: 'application', notificationId: -1 }]),
      {
        signal: controller.signal,
      },
    );
    await waitFor(() => fake.pendingPolls === 1, { message: 'poll held' });
    controller.abort();
    await expect(held).rejects.toThrow();
    await waitFor(() => fake.pendingPolls === 0, { message: 'poll dropped' });
  });

  it('answers held polls with 304 on close', async () => {
    const long = await createApolloFake({ holdMs: 60_000 });
    const held = fetch(
      notificationsUrl(long.url, 'app', 'default', [{ namespaceName: 'application', notificationId: -1 }]),
    );
    await waitFor(() => long.pendingPolls === 1, { message: 'poll held' });
    await long.close();
    expect((await held).status).toBe(304);
  });
});
