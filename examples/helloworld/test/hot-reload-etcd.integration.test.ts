import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig } from '@kratos/config';
import { createEtcdSource } from '@kratos/config-etcd';
import { freePort, type StartedServer, startServer, uniqueName, waitFor } from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const quiet = { log() {} };

let etcd: StartedServer;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Writes through etcd's JSON gateway, so the test needs no etcd client of its own. */
async function etcdCall(path: string, body: object): Promise<void> {
  const res = await fetch(`${etcd.endpoints.client}/v3/kv/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
}
const raw = {
  put: (key: string) => ({ value: (v: string) => etcdCall('put', { key: b64(key), value: b64(v) }) }),
  delete: () => ({ key: (key: string) => etcdCall('deleterange', { key: b64(key) }) }),
};
beforeAll(async () => {
  etcd = await startServer('etcd');
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
});

describe('helloworld with -remote-config etcd://...: hot reload', () => {
  const key = `${uniqueName('hw')}/helloworld/config.yaml`;
  let child: ChildProcess;
  let output = '';
  let httpPort: number;
  const greet = async (name: string) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/helloworld/${name}`);
    return ((await res.json()) as { message?: string }).message;
  };

  beforeAll(async () => {
    await raw.put(key).value('data:\n  greeting: Hola\n');
    const [h, g] = [await freePort(), await freePort()];
    httpPort = h;
    const conf = mkdtempSync(join(tmpdir(), 'hw-remote-'));
    // The file has no greeting: the remote one wins, and after a delete the built-in default shows.
    writeFileSync(
      join(conf, 'config.yaml'),
      `server:\n  http:\n    addr: 127.0.0.1:${h}\n  grpc:\n    addr: 127.0.0.1:${g}\n`,
    );
    const etcdHost = new URL(etcd.endpoints.client!).host;
    child = spawn(
      process.execPath,
      [
        '--conditions=kratos-source',
        join(root, 'cmd/helloworld/main.ts'),
        '-conf',
        conf,
        '-remote-config',
        `etcd://${etcdHost}/${key}`,
      ],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitFor(() => output.includes('[HTTP] server listening'), {
      timeout: 20_000,
      message: 'the example did not start listening',
    });
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await raw.delete().key(key);
  });

  it('answers with the greeting from etcd, and with a new one after the key changes', async () => {
    expect(await greet('x')).toBe('Hola x');
    await raw.put(key).value('data:\n  greeting: Bonjour\n');
    await waitFor(async () => (await greet('x')) === 'Bonjour x', { timeout: 10_000 });
  });

  it('keeps answering the last good greeting after a broken YAML put, and logs why with the key', async () => {
    await raw.put(key).value('data:\n  greeting: Ciao\n');
    await waitFor(async () => (await greet('y')) === 'Ciao y', { timeout: 10_000 });
    await raw.put(key).value('data:\n  greeting: [unclosed\n');
    await waitFor(() => output.includes('update rejected') && output.includes(key), {
      timeout: 10_000,
      message: 'a log line about the rejected update naming the key',
    });
    expect(await greet('y')).toBe('Ciao y');
  });

  it('falls back to the default greeting when the key is deleted', async () => {
    await raw.put(key).value('data:\n  greeting: Hallo\n');
    await waitFor(async () => (await greet('z')) === 'Hallo z', { timeout: 10_000 });
    await raw.delete().key(key);
    await waitFor(async () => (await greet('z')) === 'Hello z', { timeout: 10_000 });
  });

  it('exits cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('createConfig over the etcd source: atomic snapshots under concurrent reads', () => {
  it('never shows a mix of two keys updated together, and reports a deleted key', async () => {
    const key = `${uniqueName('hw')}/pair.yaml`;
    const doc = (n: number) => `pair:\n  a: ${n}\n  b: ${n}\n`;
    await raw.put(key).value(doc(0));
    const source = createEtcdSource({ key, connection: { hosts: etcd.endpoints.client! }, logger: quiet });
    const config = createConfig({ sources: [source], logger: quiet });
    try {
      await config.load();
      const updates = 200;
      let reads = 0;
      let mixed = 0;
      let seenLast = false;
      const deleted: boolean[] = [];
      config.watch('pair.a', (_v, change) => deleted.push(change.deleted));
      // The reader runs in slices between event-loop turns so that updates can land in between.
      const reader = (async () => {
        for (let round = 0; round < 100_000 && !seenLast; round++) {
          for (let i = 0; i < 200; i++) {
            const a = config.value('pair.a').int();
            const b = config.value('pair.b').int();
            reads++;
            if (a !== b) mixed++;
            if (a === updates) seenLast = true;
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      for (let n = 1; n <= updates; n++) await raw.put(key).value(doc(n));
      await reader;
      expect(seenLast).toBe(true);
      expect(reads).toBeGreaterThan(updates);
      expect(mixed).toBe(0);

      await raw.delete().key(key);
      await waitFor(() => deleted.includes(true), { timeout: 5000 });
      expect(config.value('pair.a').exists).toBe(false);
      expect(config.value('pair.b').exists).toBe(false);
    } finally {
      await config.close();
      await source.close();
      await raw.delete().key(key);
    }
  }, 60_000);
});
