import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startServer, waitFor } from './index.ts';

// Runs the repository's real etcd through scripts/servers/ and checks data and ports survive a restart.
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('startServer with the real etcd', () => {
  let etcd: StartedServer;
  beforeAll(async () => {
    etcd = await startServer('etcd');
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${etcd.endpoints.client}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { kvs?: { value: string }[] };
  };

  it('keeps its endpoint and data across restart, and stop ends it', async () => {
    const url = etcd.endpoints.client as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await call('/v3/kv/put', { key: b64('kt/restart'), value: b64('kept') });
    await etcd.restart();
    expect(etcd.endpoints.client).toBe(url);
    const got = await waitFor(() => call('/v3/kv/range', { key: b64('kt/restart') }), { timeout: 10_000 });
    expect(got.kvs?.map((kv) => Buffer.from(kv.value, 'base64').toString())).toEqual(['kept']);
    await etcd.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
