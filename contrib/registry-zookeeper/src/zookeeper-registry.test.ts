import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import type { ServiceInstance } from '@kratos/core';
import {
  checkRegistryOutage,
  describeRegistryContract,
  nextMatching,
  recordLogs,
  type StartedServer,
  silentLogger,
  startServer,
  startTcpProxy,
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

/**
 * A forwarder to ZooKeeper that can stall: `stall()` drops every connection, and connections made
 * while stalled are accepted and never answered, as by a server that drops a handshake uncleanly
 * (ZooKeeper 3.8 does when a client connects while it is still starting). `resume()` forwards new
 * connections again; the stalled ones stay stuck.
 */
async function startStallingProxy(target: string) {
  const sep = target.lastIndexOf(':');
  const [host, port] = [target.slice(0, sep), Number(target.slice(sep + 1))];
  let stalled = false;
  let stalledConnections = 0;
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (stalled) {
      stalledConnections++;
      return;
    }
    const outbound = connect({ host, port });
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    get stalledConnections() {
      return stalledConnections;
    },
    stall() {
      stalled = true;
      for (const s of open) s.destroy();
    },
    resume() {
      stalled = false;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeRegistryContract(
  'zookeeper',
  () => createZookeeperRegistry({ connection: servers, logger: silentLogger }),
  {
    sharedWatch: true,
    openWatches: (r) => r.activeWatches,
    restart: async () => {
      await zk.restart();
    },
    onRestartTimings: (t) => console.info('[restart timings] zookeeper', JSON.stringify(t)),
  },
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
    // The registrar reaches ZooKeeper through a proxy whose link the test cuts: a real partition,
    // long enough for the server to expire the session (6 s asked; the server grants 4-40 s).
    const proxy = await startTcpProxy(servers);
    const registrar = createZookeeperRegistry({
      connection: { servers: proxy.address, sessionTimeout: 6000, spinDelay: 200 },
      logger,
    });
    const discovery = createZookeeperRegistry({ connection: servers, logger: silentLogger });
    const raw = await rawClient(servers);
    const name = uniqueName('svc');
    const owner = async () => {
      const stat = await call<{ ephemeralOwner: Buffer } | null>((cb) =>
        raw.exists(`/microservices/${name}/a`, cb),
      );
      return stat?.ephemeralOwner.toString('hex');
    };
    try {
      await registrar.register(inst(name, 'a', 9000));
      const w = await discovery.watch(name);
      await nextMatching(w, (s) => s.length === 1, 5000);
      const before = registrar.client;
      const oldSession = before.getSessionId().toString('hex');
      expect(await owner()).toBe(oldSession);

      proxy.cut();
      // The server expires the silent session and deletes its ephemeral node: the watcher sees it go.
      await nextMatching(w, (s) => s.length === 0, 45_000);
      expect(await owner()).toBeUndefined();
      proxy.restore();

      // On reconnecting the registrar learns its session expired, opens a new one and creates the
      // node again, owned by the new session.
      await waitFor(
        async () => {
          expect(registrar.client).not.toBe(before);
          expect(await owner()).toBe(registrar.client.getSessionId().toString('hex'));
          return true;
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(registrar.client.getSessionId().toString('hex')).not.toBe(oldSession);
      // Watchers converge on it: the first watcher sees it back, and a new watcher is handed the set.
      await nextMatching(w, (s) => s.length === 1, 30_000);
      const w2 = await discovery.watch(name);
      const back = await nextMatching(w2, (s) => s.length === 1, 30_000);
      expect(back[0]!.id).toBe('a');
      expect(lines.some((l) => l.includes('session expired'))).toBe(true);
      expect(lines.some((l) => l.includes('registration restored'))).toBe(true);
      await w2.stop();
      await w.stop();
    } finally {
      raw.close();
      await registrar.close();
      await discovery.close();
      await proxy.close();
    }
  }, 120_000);

  it('replaces a client stuck in a handshake the server never answers, and watchers converge', async () => {
    const { lines, logger } = logged();
    const proxy = await startStallingProxy(servers);
    const registrar = createZookeeperRegistry({
      connection: { servers: proxy.address, sessionTimeout: 4000, spinDelay: 200 },
      logger,
    });
    const discovery = createZookeeperRegistry({ connection: servers, logger: silentLogger });
    const name = uniqueName('svc');
    try {
      await registrar.register(inst(name, 'a', 9000));
      const w = await discovery.watch(name);
      await nextMatching(w, (s) => s.length === 1, 10_000);
      proxy.stall();
      // The registrar reconnects into a connection that never answers; then the link is fine again.
      await waitFor(() => proxy.stalledConnections > 0, { timeout: 20_000, message: 'a stalled handshake' });
      proxy.resume();
      await waitFor(() => lines.some((l) => l.includes('not connected again within the session timeout')), {
        timeout: 30_000,
        message: 'the stuck client replaced',
      });
      await waitFor(() => registrar.register(inst(name, 'b', 9001)).then(() => true), {
        timeout: 30_000,
        interval: 250,
        message: 'registering through the new session',
      });
      const both = await nextMatching(w, (s) => s.length === 2, 30_000);
      expect(both.map((i) => i.id).sort()).toEqual(['a', 'b']);
      await w.stop();
    } finally {
      await registrar.close();
      await discovery.close();
      await proxy.close();
    }
  }, 120_000);

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
