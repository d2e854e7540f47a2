// Connection-aware picking and transparent retry of the HTTP client, against servers in child
// processes that get SIGKILLed under load (the dead instance stays registered, as it does until
// its registry lease expires), and in-process servers whose sockets are destroyed.
import { createServer, type Server, type Socket } from 'node:net';
import { createMemoryRegistry, KratosError } from '@kratos/core';
import { createSelector } from '@kratos/selector';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, createHttpServer, type HttpClient } from './index.ts';
import { helloRoutes } from './testdata/hello-routes.ts';
import { drive, type HelloProcess, helloProcesses, sigkill } from './testdata/processes.ts';

const quiet = { log() {} };
const start = helloProcesses();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function clientOf(servers: HelloProcess[], selector = createSelector()) {
  const registry = createMemoryRegistry();
  for (const s of servers) {
    await registry.register({
      id: s.id,
      name: 'hello',
      version: 'v1',
      metadata: {},
      endpoints: [`http://127.0.0.1:${s.port}?isSecure=false`],
    });
  }
  const client = createHttpClient({
    endpoint: 'discovery:///hello',
    discovery: registry,
    selector,
    timeout: 10_000,
    logger: quiet,
  });
  closers.push(() => client.close());
  return client;
}

const get = async (client: HttpClient, name: string) =>
  (await client.invoke<unknown, { message: string }>(helloRoutes.get, { name })).message;
const post = async (client: HttpClient, name: string) =>
  (await client.invoke<unknown, { message: string }>(helloRoutes.post, { name })).message;

describe('HTTP client: SIGKILL of one of two instances under load', () => {
  it('GET (idempotent): 0 failed calls (150, SIGKILL, 300 more; 20 in flight), in-flight ones retried; the dead node leaves rotation', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const selector = createSelector();
    const client = await clientOf([a, b], selector);
    const records = await drive({
      killAt: 150,
      // a has answered at least 20 calls (at most 20 are in flight), so both nodes served.
      ready: () => a.got.size >= 40,
      after: 300,
      concurrency: 20,
      kill: () => sigkill(a),
      call: (name) => get(client, name),
    });
    const failed = records.filter((r) => r.error !== undefined);
    expect(failed.map((r) => String(r.error))).toEqual([]);
    const after = records.filter((r) => r.phase === 'after');
    expect(after.length).toBe(300);
    expect(after.every((r) => r.reply?.endsWith(' from b'))).toBe(true);
    const before = records.filter((r) => r.phase === 'before' && !r.inFlightAtKill);
    expect(new Set(before.map((r) => r.reply!.split(' from ')[1]))).toEqual(new Set(['a', 'b']));
    const nodeA = selector.nodes().find((n) => n.address === `127.0.0.1:${a.port}`)!;
    expect(selector.isDown(nodeA)).toBe(true);
    const inFlight = records.filter((r) => r.inFlightAtKill || r.phase === 'window');
    console.info(
      `[http GET SIGKILL] calls=${records.length} failed=0 in-flight-at-kill=${inFlight.length} after-exit=${after.length}`,
    );
  }, 60_000);

  it('POST: fails no call that never reached the killed process (150 calls, SIGKILL, 300 more; 20 in flight)', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const selector = createSelector();
    const client = await clientOf([a, b], selector);
    const records = await drive({
      killAt: 150,
      // a has answered at least 20 calls (at most 20 are in flight), so both nodes served.
      ready: () => a.got.size >= 40,
      after: 300,
      concurrency: 20,
      kill: () => sigkill(a),
      call: (name) => post(client, name),
    });
    const failed = records.filter((r) => r.error !== undefined);
    const inFlight = records.filter((r) => r.inFlightAtKill || r.phase === 'window');
    expect(failed.filter((r) => !(r.inFlightAtKill || r.phase === 'window'))).toEqual([]);
    for (const r of failed) expect(KratosError.is(r.error) && r.error.code === 503).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(inFlight.length);
    const after = records.filter((r) => r.phase === 'after');
    expect(after.length).toBe(300);
    expect(after.every((r) => r.reply?.endsWith(' from b'))).toBe(true);
    console.info(
      `[http POST SIGKILL] calls=${records.length} failed=${failed.length} (reached its handler: ${failed.filter((r) => a.got.has(r.name)).length}) in-flight-at-kill=${inFlight.length} after-exit=${after.length}`,
    );
  }, 60_000);

  it('brings the node back once an instance listens at its address again (TCP probe with backoff)', async () => {
    const [a, b] = [await start('a'), await start('b')];
    // random, so both nodes have kept-alive connections before the kill (p2c may keep to one).
    const selector = createSelector({ balancer: 'random' });
    const client = await clientOf([a, b], selector);
    const warm = new Set<string>();
    for (let i = 0; i < 50 || warm.size < 2; i++)
      warm.add((await get(client, `warm${i}`)).split(' from ')[1]!);
    await sigkill(a);
    const nodeA = selector.nodes().find((n) => n.address === `127.0.0.1:${a.port}`)!;
    // a leaves rotation (its closed keep-alive connection is probed, or a call is refused); the
    // calls made meanwhile succeed (GET: retried on b even if sent on a dying connection).
    for (let i = 0; i < 4000 && !selector.isDown(nodeA); i++) {
      expect(await get(client, `gone${i}`)).toBe(`Hello gone${i} from b`);
    }
    expect(selector.isDown(nodeA)).toBe(true);
    for (let i = 0; i < 50; i++) expect(await post(client, `dead${i}`)).toBe(`Hello dead${i} from b`);
    expect(selector.isDown(nodeA)).toBe(true);
    await start('a2', a.port);
    let fromA2 = 0;
    for (let i = 0; i < 4000 && fromA2 === 0; i++) {
      if ((await get(client, `back${i}`)).endsWith(' from a2')) fromA2++;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(fromA2).toBe(1);
    expect(selector.isDown(nodeA)).toBe(false);
  }, 90_000);
});

/** A TCP server that accepts connections and destroys each as soon as it has data (a reset before any reply). */
async function resetter(): Promise<{ port: number; server: Server; hits: () => number }> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('data', () => {
      hits++;
      s.resetAndDestroy();
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as { port: number }).port, server, hits: () => hits };
}

/**
 * A raw HTTP/1.1 server that answers the first request of each connection (keep-alive) and closes
 * the connection, unanswered, when a second request arrives on it: the race of a server closing
 * an idle kept-alive connection as the client reuses it.
 */
async function closesReusedConnections(): Promise<{ port: number; closed: () => number }> {
  let closed = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    let seen = '';
    let answered = false;
    s.on('error', () => {});
    s.on('data', (d) => {
      seen += d.toString('latin1');
      const requests = seen.match(/^(GET|POST) \/[^ ]* HTTP\/1\.1\r\n/gm)?.length ?? 0;
      if (requests > 1) {
        closed++;
        s.destroy();
      } else if (!answered && seen.includes('\r\n\r\n')) {
        answered = true;
        const body = JSON.stringify({ message: 'Hello' });
        s.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as { port: number }).port, closed: () => closed };
}

async function helloServer(tag: string): Promise<number> {
  const s = createHttpServer({ address: '127.0.0.1:0', logger: quiet });
  s.route(helloRoutes.get, async (_c, r: { name: string }) => ({ message: `Hello ${r.name} from ${tag}` }));
  s.route(helloRoutes.post, async (_c, r: { name: string }) => ({ message: `Hello ${r.name} from ${tag}` }));
  await s.start();
  closers.push(() => s.stop());
  return s.address()!.port;
}

describe('HTTP client: transparent retry', () => {
  it('sends a request refused by one node to another, any method', async () => {
    const port = await helloServer('live');
    const selector = createSelector({ balancer: 'random' });
    const client = createHttpClient({
      endpoint: `direct:///127.0.0.1:1,127.0.0.1:${port}`,
      selector,
      logger: quiet,
    });
    closers.push(() => client.close());
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? get(client, `n${i}`) : post(client, `n${i}`))),
    );
    expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => `Hello n${i} from live`));
    expect(selector.isDown(selector.nodes().find((n) => n.address === '127.0.0.1:1')!)).toBe(true);
  });

  it('retries an idempotent request reset before any response byte, but not a POST', async () => {
    const port = await helloServer('live');
    const bad = await resetter();
    const client = createHttpClient({
      endpoint: `direct:///127.0.0.1:${bad.port},127.0.0.1:${port}`,
      // wrr over equal weights alternates: every other request goes to the resetting node first.
      selector: createSelector({ balancer: 'wrr' }),
      logger: quiet,
    });
    closers.push(() => client.close());
    for (let i = 0; i < 10; i++) expect(await get(client, `g${i}`)).toBe(`Hello g${i} from live`);
    expect(bad.hits()).toBeGreaterThan(0);
    // A POST that reached the resetting node may have been processed: it fails, with a 503.
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => post(client, `p${i}`)));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason.code).toBe(503);
  });

  it('one node: an idempotent request that found its kept-alive connection closed is sent again on a new one; a POST is not', async () => {
    const server = await closesReusedConnections();
    const client = createHttpClient({ endpoint: `http://127.0.0.1:${server.port}`, logger: quiet });
    closers.push(() => client.close());
    for (let i = 1; i <= 5; i++) expect(await get(client, `g${i}`)).toBe('Hello');
    // GETs went out on kept-alive connections that were then closed under them, and were sent again.
    expect(server.closed()).toBeGreaterThan(0);
    // The connection of the last GET is kept alive: a POST on it is closed unanswered and fails.
    const err = await post(client, 'p').catch((e) => e);
    expect(KratosError.is(err) && err.code).toBe(503);
  });

  it('panic mode: with every node down a call still goes out, and a node it reaches is back up', async () => {
    const port = await helloServer('live');
    const selector = createSelector();
    const client = createHttpClient({ endpoint: `http://127.0.0.1:${port}`, selector, logger: quiet });
    closers.push(() => client.close());
    const [node] = selector.nodes();
    expect(selector.markDown(node!)).toBe(true);
    expect(await get(client, 'x')).toBe('Hello x from live');
    expect(selector.isDown(node!)).toBe(false);
  });

  it('fails with 503 once every node refused, each tried once', async () => {
    const client = createHttpClient({
      endpoint: 'direct:///127.0.0.1:1,127.0.0.2:1',
      timeout: 60_000,
      logger: quiet,
    });
    closers.push(() => client.close());
    const err = await get(client, 'x').catch((e) => e);
    expect(KratosError.is(err) && err.code).toBe(503);
    const again = await post(client, 'y').catch((e) => e);
    expect(KratosError.is(again) && again.code).toBe(503);
  });
});
