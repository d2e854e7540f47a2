import { readFileSync } from 'node:fs';
import type { ServiceInstance } from '@kratos/core';
import {
  checkRegistryOutage,
  describeRegistryContract,
  nextMatching,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  uniqueName,
  waitFor,
} from '@kratos/testkit';
import { type Client, CreateMode, createClient } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZookeeperRegistry } from './index.ts';

const fixture = readFileSync(new URL('./testdata/go-instance.bin', import.meta.url), 'utf8');

let zk: StartedServer;
let servers: string;
beforeAll(async () => {
  zk = await startServer('zookeeper');
  servers = zk.endpoints.client!;
});
afterAll(async () => {
  await zk?.stop();
});

/** A plain client for looking at what the adapter wrote. */
async function rawClient(connection: string): Promise<Client> {
  const c = createClient(connection);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('raw zookeeper client did not connect')), 10_000);
    c.once('connected', () => {
      clearTimeout(t);
      resolve();
    });
    c.connect();
  });
  return c;
}
const call = <T>(f: (cb: (err: unknown, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

const logged = () => recordLogs(['info', 'warn', 'error']);

describeRegistryContract(
  'zookeeper',
  () => createZookeeperRegistry({ connection: servers, logger: silentLogger }),
  { sharedWatch: true, openWatches: (r) => r.activeWatches },
);

describe('zookeeper registry: wire compatibility with Go Kratos', () => {
  const instance: ServiceInstance = {
    id: 'go-helloworld-1',
    name: 'helloworld',
    version: 'v1.0.0',
    metadata: { zone: 'a&b', region: 'sh', weight: '100' },
    endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
  };

  it('writes the exact bytes Go Kratos writes, in an ephemeral node under persistent parents', async () => {
    const ns = `/${uniqueName('ns')}`;
    const registry = createZookeeperRegistry({ connection: servers, namespace: ns, logger: silentLogger });
    const raw = await rawClient(servers);
    try {
      await registry.register(instance);
      const path = `${ns}/helloworld/go-helloworld-1`;
      const [data, stat] = await new Promise<[Buffer, { ephemeralOwner: Buffer }]>((resolve, reject) =>
        raw.getData(path, (e, d, s) => (e ? reject(e) : resolve([d, s]))),
      );
      expect(data.toString('utf8')).toBe(fixture);
      expect(stat.ephemeralOwner.toString('hex')).toBe(registry.client.getSessionId().toString('hex'));
      const parent = await call<{ ephemeralOwner: Buffer }>((cb) => raw.exists(`${ns}/helloworld`, cb));
      expect(parent.ephemeralOwner.readBigUInt64BE()).toBe(0n);
      await registry.deregister(instance);
      expect(await call((cb) => raw.exists(path, cb))).toBeNull();
    } finally {
      await registry.close();
      raw.close();
    }
  });

  it("reads a Go service's node and skips foreign or broken records with a warning", async () => {
    const ns = `/${uniqueName('ns')}`;
    const { lines, logger } = logged();
    const registry = createZookeeperRegistry({ connection: servers, namespace: ns, logger });
    const raw = await rawClient(servers);
    try {
      await call((cb) => raw.mkdirp(`${ns}/helloworld`, cb));
      const put = (child: string, data: string) =>
        call((cb) => raw.create(`${ns}/helloworld/${child}`, Buffer.from(data), CreateMode.EPHEMERAL, cb));
      await put('go-helloworld-1', fixture);
      await put('broken', '{not json');
      await put('other', '{"id":"x","name":"other-service","endpoints":[]}');
      expect(await registry.getService('helloworld')).toEqual([instance]);
      expect(lines.some((l) => l.includes(`${ns}/helloworld/broken`))).toBe(true);
      const w = await registry.watch('helloworld');
      const first = await nextMatching(w, (set) => set.length === 1, 3000);
      expect(first[0]!.id).toBe('go-helloworld-1');
      // A broken record arriving later is skipped, never empties the set.
      await put('broken-2', '[]');
      await put('go-helloworld-2', fixture.replace('go-helloworld-1', 'go-helloworld-2'));
      const two = await nextMatching(w, (set) => set.length === 2, 3000);
      expect(two.map((i) => i.id).sort()).toEqual(['go-helloworld-1', 'go-helloworld-2']);
      await w.stop();
    } finally {
      await registry.close();
      raw.close();
    }
  });

  it('sets a digest ACL like Go Kratos WithDigestACL', async () => {
    const ns = `/${uniqueName('ns')}`;
    const registry = createZookeeperRegistry({
      connection: servers,
      namespace: ns,
      digest: { user: 'kratos', password: 'secret' },
      logger: silentLogger,
    });
    const raw = await rawClient(servers);
    try {
      await registry.register(instance);
      const authed = await rawClient(servers);
      authed.addAuthInfo('digest', Buffer.from('kratos:secret'));
      const acls = await call<Array<{ id: { scheme: string; id: string } }>>((cb) =>
        authed.getACL(`${ns}/helloworld/go-helloworld-1`, cb),
      ).finally(() => authed.close());
      // base64(sha1("kratos:secret")), as zk.DigestACL computes it.
      expect(acls.map((a) => `${a.id.scheme}:${a.id.id}`)).toEqual([
        'digest:kratos:uTIkMbmV2pnvemkVg7kUWLuf9dc=',
      ]);
      await expect(call((cb) => raw.getData(`${ns}/helloworld/go-helloworld-1`, cb))).rejects.toMatchObject({
        name: 'NO_AUTH',
      });
      expect(await registry.getService('helloworld')).toHaveLength(1);
      await registry.deregister(instance);
    } finally {
      await registry.close();
      raw.close();
    }
  });

  it('rejects invalid options at construction and bad instances', async () => {
    expect(() => createZookeeperRegistry({})).toThrow(/client or connection/);
    expect(() => createZookeeperRegistry({ connection: '' })).toThrow(/client or connection|servers/);
    expect(() => createZookeeperRegistry({ connection: servers, namespace: 'x' })).toThrow(/namespace/);
    expect(() => createZookeeperRegistry({ connection: servers, operationTimeout: 0 })).toThrow(
      /operationTimeout/,
    );
    expect(() =>
      createZookeeperRegistry({ connection: servers, digest: { user: 'u', password: '' } }),
    ).toThrow(/digest/);
    const registry = createZookeeperRegistry({ connection: servers, logger: silentLogger });
    try {
      await expect(registry.register({ ...instance, id: 'a/b' })).rejects.toThrow(/path segment/);
    } finally {
      await registry.close();
    }
  });
});

describe('zookeeper registry: sessions, outage and recovery', () => {
  const inst = (name: string, id: string, port: number): ServiceInstance => ({
    id,
    name,
    version: 'v1',
    metadata: {},
    endpoints: [`grpc://127.0.0.1:${port}?isSecure=false`],
  });

  it('creates the ephemeral node again after the session expired, and watchers converge', async () => {
    const { lines, logger } = logged();
    const registrar = createZookeeperRegistry({ connection: { servers, sessionTimeout: 6000 }, logger });
    const discovery = createZookeeperRegistry({ connection: servers, logger: silentLogger });
    const name = uniqueName('svc');
    try {
      await registrar.register(inst(name, 'a', 9000));
      const w = await discovery.watch(name);
      await nextMatching(w, (s) => s.length === 1, 5000);
      const before = registrar.client;
      // Expire the registrar's session from outside: a client that takes the session over and
      // closes it. The registrar may take its session back before that close lands (then the
      // session lives on), so the takeover is repeated until the registrar is on a new session.
      const expire = () =>
        new Promise<void>((resolve) => {
          const thief = createClient(servers, {
            sessionId: before.getSessionId(),
            sessionPassword: before.getSessionPassword(),
          } as object);
          let ended = false;
          const done = () => {
            if (ended) return;
            ended = true;
            thief.close();
            resolve();
          };
          thief.once('connected', done);
          thief.once('expired', done);
          setTimeout(done, 3000);
          thief.connect();
        });
      await waitFor(
        async () => {
          if (registrar.client !== before) return true;
          await expire();
          return false;
        },
        { timeout: 30_000, interval: 500 },
      );
      // The node is created again by the registrar's new session. Whether the watcher catches the
      // moment it was gone depends on timing (a re-read that finds the node back publishes nothing:
      // the set did not change), so the node's owner says it, not an empty set.
      const raw = await rawClient(servers);
      try {
        await waitFor(
          async () => {
            expect(registrar.client).not.toBe(before);
            const stat = await call<{ ephemeralOwner: Buffer } | null>((cb) =>
              raw.exists(`/microservices/${name}/a`, cb),
            );
            expect(stat?.ephemeralOwner.toString('hex')).toBe(
              registrar.client.getSessionId().toString('hex'),
            );
            return true;
          },
          { timeout: 30_000, interval: 100 },
        );
      } finally {
        raw.close();
      }
      // Watchers converge on it: the shared watch hands a new watcher the set it serves.
      const w2 = await discovery.watch(name);
      const back = await nextMatching(w2, (s) => s.length === 1, 30_000);
      expect(back[0]!.id).toBe('a');
      expect(registrar.client).not.toBe(before);
      expect(lines.some((l) => l.includes('session expired'))).toBe(true);
      expect(lines.some((l) => l.includes('registration restored'))).toBe(true);
      await w2.stop();
      await w.stop();
    } finally {
      await registrar.close();
      await discovery.close();
    }
  }, 60_000);

  it('keeps the last good set while ZooKeeper is down and converges when it returns', async () => {
    const server = await startServer('zookeeper');
    const hosts = server.endpoints.client!;
    const { lines, logger } = logged();
    const options = { connection: { servers: hosts, sessionTimeout: 8000 }, operationTimeout: 2000, logger };
    const registrar = createZookeeperRegistry(options);
    const discovery = createZookeeperRegistry(options);
    try {
      await checkRegistryOutage({
        server,
        registrar,
        discovery,
        // A second watcher of the same service shares the watch and sees the same sets.
        watchers: 2,
        downError: /timed out|CONNECTION_LOSS/,
        whileDown: async () => {
          expect(discovery.activeWatches).toBe(1);
          await waitFor(() => lines.some((l) => l.includes('disconnected')), { timeout: 10_000 });
        },
        convergeTimeoutMs: 40_000,
      });
    } finally {
      await registrar.close();
      await discovery.close();
      await server.stop();
    }
  }, 120_000);
});
