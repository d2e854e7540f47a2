import { Agent } from 'node:http';
import { createServer } from 'node:net';
import type { Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  grpcClient,
  grpcEcho,
  httpEcho,
  httpGet,
  pidOf,
  type RunningCluster,
  startCluster,
} from './testdata/harness.ts';

// One cluster of two workers for the whole file: the steps follow its life (up, scraped, a
// worker killed and replaced, stopped under load). Every wait is for an event or a count.
let c: RunningCluster;
const served = { http: 0, grpc: 0, rpc: 0 };
const clients: Client[] = [];

const workerPids = () => {
  // Live worker pids by slot: the latest `ready` of each slot.
  const bySlot = new Map<number, number>();
  for (const e of c.events) if (e.from === 'primary' && e.type === 'ready') bySlot.set(e.slot!, e.pid!);
  return bySlot;
};

/** Echo calls, each on a connection of its own, until every pid in `want` has answered (bounded). */
async function reachAll(
  want: Set<number>,
  transport: 'http' | 'grpc' | 'rpc',
  limit = 60,
): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < limit && [...want].some((p) => !seen.has(p)); i++) {
    let reply: string;
    if (transport === 'http') {
      reply = await httpEcho(c.httpPort, `r${i}`);
      served.http++;
    } else {
      const client = grpcClient(transport === 'grpc' ? c.grpcPort : c.rpcPort);
      try {
        reply = await grpcEcho(client, `r${i}`);
      } finally {
        client.close();
      }
      served[transport]++;
    }
    seen.add(pidOf(reply));
  }
  return seen;
}

beforeAll(async () => {
  c = await startCluster(2);
  await c.event((e) => e.type === 'running');
});

afterAll(async () => {
  for (const client of clients) client.close();
  await c?.kill();
});

describe('runCluster with 2 workers (HTTP on fastify, gRPC on grpc-js and on node:http2)', () => {
  it('both workers serve the same addresses; only slot 0 registers, once, with the endpoints of the address', async () => {
    const pids = workerPids();
    expect(pids.size).toBe(2);
    const want = new Set(pids.values());
    expect(await reachAll(want, 'http')).toEqual(want);
    expect(await reachAll(want, 'grpc')).toEqual(want);
    expect(await reachAll(want, 'rpc')).toEqual(want);

    expect(c.registrations).toHaveLength(1);
    const [reg] = c.registrations;
    expect(reg!.what).toBe('register');
    expect(reg!.pid).toBe(pids.get(0));
    expect(reg!.instance).toMatchObject({ name: 'cluster-test', version: 'v1' });
    expect([...reg!.instance.endpoints].sort()).toEqual(
      [
        `grpc://127.0.0.1:${c.grpcPort}?isSecure=false`,
        `grpc://127.0.0.1:${c.rpcPort}?isSecure=false`,
        `http://127.0.0.1:${c.httpPort}?isSecure=false`,
      ].sort(),
    );
  });

  it('one scrape of /metrics counts the requests of every worker', async () => {
    const perPid = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      const pid = pidOf(await httpEcho(c.httpPort, `m${i}`));
      served.http++;
      perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    }
    // Round robin over fresh connections: both workers served some of them.
    expect(perPid.size).toBe(2);
    const text = await httpGet(c.httpPort, '/metrics');
    const count = (kind: string) => {
      const m = text.match(
        new RegExp(
          `server_requests_code_total\\{kind="${kind}",operation="/test.v1.Echo/Echo",code="(?:200|0)",reason=""\\} (\\d+)`,
        ),
      );
      return m ? Number(m[1]) : -1;
    };
    expect(count('http')).toBe(served.http);
    expect(count('grpc')).toBe(served.grpc);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('a SIGKILLed worker is replaced; calls on the other worker all succeed meanwhile; the new leader registers the same instance again', async () => {
    const pids = workerPids();
    const leader = pids.get(0)!;
    const follower = pids.get(1)!;
    // A connection to the follower, to call on while the leader dies.
    let onFollower: Client | undefined;
    for (let i = 0; i < 20 && !onFollower; i++) {
      const client = grpcClient(c.grpcPort);
      clients.push(client);
      if (pidOf(await grpcEcho(client, 'pick')) === follower) onFollower = client;
      served.grpc++;
    }
    expect(onFollower).toBeDefined();

    const from = c.events.length;
    process.kill(leader, 'SIGKILL');
    const replacement = c.event((e) => e.type === 'ready' && e.slot === 0, from);
    let calls = 0;
    let failed = 0;
    let replaced = false;
    replacement.then(
      () => {
        replaced = true;
      },
      () => {},
    );
    // Calls go on until the replacement is up (bounded: the wait has its own test timeout).
    while (!replaced) {
      try {
        expect(pidOf(await grpcEcho(onFollower!, `k${calls}`))).toBe(follower);
      } catch {
        failed++;
      }
      calls++;
    }
    const up = await replacement;
    expect(failed).toBe(0);
    expect(calls).toBeGreaterThan(0);
    const exit = c.events.slice(from).find((e) => e.type === 'exit' && e.pid === leader);
    expect(exit).toMatchObject({ slot: 0, signal: 'SIGKILL', replaced: true });
    expect(up.pid).not.toBe(leader);
    // New connections reach the new worker.
    expect(await reachAll(new Set([up.pid!, follower]), 'http')).toEqual(new Set([up.pid!, follower]));

    // One entry for the address: the replacement registered the same id and endpoints again.
    const regs = c.registrations.filter((r) => r.what === 'register');
    expect(regs).toHaveLength(2);
    expect(regs[1]!.pid).toBe(up.pid);
    expect(regs[1]!.instance).toEqual(regs[0]!.instance);
  }, 120_000);

  it('SIGTERM stops every worker gracefully under load: 0 failed calls, calls in flight on each worker answered, drainDelay in each', async () => {
    const pids = new Set(workerPids().values());
    // Load: 4 HTTP connections and 6 gRPC connections calling in a loop until the instance is
    // deregistered (and some more), as clients that follow the registry stop sending then.
    let deregistered = false;
    const outcome = { ok: 0, failed: 0, errors: [] as string[] };
    const agents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    // gRPC on grpc-js (4) and on node:http2 (@kratos/rpc, 2).
    const loadClients = [
      ...Array.from({ length: 4 }, () => grpcClient(c.grpcPort)),
      ...Array.from({ length: 2 }, () => grpcClient(c.rpcPort)),
    ];
    clients.push(...loadClients);
    const loop = async (call: (i: number) => Promise<string>) => {
      for (let i = 0; !deregistered; i++) {
        try {
          await call(i);
          outcome.ok++;
        } catch (e) {
          outcome.failed++;
          outcome.errors.push(String(e));
        }
      }
    };
    const loops = [
      ...agents.map((a) => loop((i) => httpEcho(c.httpPort, `l${i}`, a))),
      ...loadClients.map((cl) => loop((i) => grpcEcho(cl, `l${i}`))),
    ];

    // Calls held in every worker until its servers stop: they must be answered in the drain.
    const from = c.events.length;
    const held: Promise<string>[] = [];
    const heldOn = () =>
      new Set(
        c.events
          .slice(from)
          .filter((e) => e.type === 'held')
          .map((e) => e.pid!),
      );
    for (let i = 0; i < 20 && heldOn().size < pids.size; i++) {
      const before = c.events.length;
      held.push(httpEcho(c.httpPort, `hold-h${i}`));
      const client = grpcClient(c.grpcPort);
      clients.push(client);
      held.push(grpcEcho(client, `hold-g${i}`));
      // Both reached a handler (not still on their way when the stop begins).
      await c.event((e) => e.type === 'held' && e.value === `hold-h${i}`, before);
      await c.event((e) => e.type === 'held' && e.value === `hold-g${i}`, before);
    }
    expect(heldOn()).toEqual(pids);
    const heldCount = held.length;

    // Some load has been served before the stop begins.
    while (outcome.ok < 200 && outcome.failed === 0) await new Promise((r) => setImmediate(r));

    const stopFrom = c.events.length;
    c.child.kill('SIGTERM');
    const dereg = await c.deregistration();
    // Clients learn of the deregistration late (what drainDelay is for): the load goes on while
    // the deregistration is held, 800 more calls; no worker may stop serving meanwhile.
    const atDereg = outcome.ok + outcome.failed;
    while (outcome.ok + outcome.failed < atDereg + 800) await new Promise((r) => setImmediate(r));
    deregistered = true;
    await Promise.all(loops);
    const releasedAt = c.events.length;
    dereg.release();

    const replies = await Promise.all(held);
    const exited = await c.exited;
    for (const a of agents) a.destroy();

    expect(outcome.errors).toEqual([]);
    expect(outcome.ok).toBeGreaterThanOrEqual(200);
    expect(replies).toHaveLength(heldCount);
    for (const r of replies) expect(r).toMatch(/^hold-[hg]\d+@\d+$/);
    expect(exited).toEqual({ code: 0, signal: null });

    const after = c.events.slice(stopFrom);
    const exits = after.filter((e) => e.type === 'exit');
    expect(new Set(exits.map((e) => e.pid))).toEqual(pids);
    for (const e of exits) expect(e).toMatchObject({ code: 0, signal: null, replaced: false });
    // Each worker stopped its servers only after the leader's deregistration went through ...
    const stopping = c.events.filter((e) => e.type === 'serversStopping');
    expect(new Set(stopping.map((e) => e.pid))).toEqual(pids);
    expect(c.events.indexOf(stopping[0]!)).toBeGreaterThanOrEqual(releasedAt);
    // ... and after waiting its drainDelay (each App says so).
    expect(c.stderr().match(/deregistered, stopping servers in 200 ms/g)).toHaveLength(pids.size);
    expect(after.at(-1)).toMatchObject({ type: 'stopped' });
    const deregs = c.registrations.filter((r) => r.what === 'deregister');
    expect(deregs).toHaveLength(1);
    expect(deregs[0]!.instance.id).toBe(c.registrations[0]!.instance.id);
  }, 120_000);
});

describe('runCluster start failure', () => {
  it('a worker that cannot start (its port is taken) stops the cluster instead of being forked again and again', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const failing = await startCluster(2, { http: port });
    try {
      const exited = await failing.exited;
      expect(exited.code).toBe(1);
      expect(failing.events.some((e) => e.type === 'running')).toBe(false);
      const exits = failing.events.filter((e) => e.type === 'exit');
      expect(exits.length).toBeGreaterThanOrEqual(1);
      for (const e of exits) expect(e.replaced).toBe(false);
      // Never more forks than workers: nothing was replaced.
      expect(failing.events.filter((e) => e.type === 'fork')).toHaveLength(2);
      expect(failing.stderr()).toMatch(/exited with 1 before it was up/);
      expect(failing.registrations).toEqual([]);
    } finally {
      await failing.kill();
      taken.close();
    }
  }, 120_000);
});
