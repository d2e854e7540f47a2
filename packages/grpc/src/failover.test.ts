// Connection-aware picking and transparent retry of the gRPC client, against Greeter servers in
// child processes that get SIGKILLed under load (the dead instance stays registered, as it does
// until its registry lease expires).
import { type Context, createMemoryRegistry, KratosError } from '@kratos/core';
import { createSelector } from '@kratos/selector';
import { describe, expect, it } from 'vitest';
import { createGrpcClient } from './client.ts';
import {
  GreeterService,
  type HelloReply,
  type HelloRequest,
  helloReply,
  helloRequest,
} from './testdata/greeter.ts';
import { greeterFixture, sayHello, silent, until } from './testdata/harness.ts';
import { drive, type GreeterProcess, greeterProcesses, sigkill } from './testdata/processes.ts';

const start = greeterProcesses();
const fixture = greeterFixture();

async function registryOf(...servers: GreeterProcess[]) {
  const registry = createMemoryRegistry();
  for (const s of servers) {
    await registry.register({
      id: s.id,
      name: 'greeter',
      version: 'v1',
      metadata: {},
      endpoints: [`grpc://127.0.0.1:${s.port}?isSecure=false`],
    });
  }
  return registry;
}

describe('gRPC client: SIGKILL of one of two instances under load', () => {
  it('fails no call that never reached the killed process (150 calls, SIGKILL, 300 more; 20 in flight); the dead node leaves rotation', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const selector = createSelector();
    const client = createGrpcClient({
      endpoint: 'discovery:///greeter',
      discovery: await registryOf(a, b),
      selector,
      timeout: 10_000,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    await client.ready(AbortSignal.timeout(10_000));

    const records = await drive({
      killAt: 150,
      // a has answered at least 20 calls (at most 20 are in flight), so both nodes served.
      ready: () => a.got.size >= 40,
      after: 300,
      concurrency: 20,
      kill: () => sigkill(a),
      call: async (name) =>
        ((await client.unary(GreeterService.SayHello, helloRequest({ name, delayMs: 1 }))) as HelloReply)
          .message,
    });

    const failed = records.filter((r) => r.error !== undefined);
    const inFlight = records.filter((r) => r.inFlightAtKill || r.phase === 'window');
    const after = records.filter((r) => r.phase === 'after');
    // Only calls running when the process died may fail, each with a 503 (UNAVAILABLE/CANCELLED).
    expect(failed.filter((r) => !(r.inFlightAtKill || r.phase === 'window'))).toEqual([]);
    for (const r of failed) expect(KratosError.is(r.error) && [499, 503].includes(r.error.code)).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(inFlight.length);
    expect(after.length).toBe(300);
    // Both served before the kill; every call after it was served by b.
    const before = records.filter((r) => r.phase === 'before' && !r.inFlightAtKill && r.reply);
    expect(new Set(before.map((r) => r.reply!.split(' from ')[1]))).toEqual(new Set(['a', 'b']));
    expect(after.every((r) => r.reply?.endsWith(' from b'))).toBe(true);
    // The node of a is out of rotation although discovery still lists it.
    const nodeA = selector.nodes().find((n) => n.address === `127.0.0.1:${a.port}`)!;
    expect(nodeA).toBeDefined();
    expect(selector.isDown(nodeA)).toBe(true);
    console.info(
      `[grpc SIGKILL] calls=${records.length} failed=${failed.length} (reached its handler: ${failed.filter((r) => a.got.has(r.name)).length}) in-flight-at-kill=${inFlight.length} after-exit=${after.length}`,
    );
  }, 60_000);

  it('brings the node back when an instance listens at its address again', async () => {
    const [a, b] = [await start('a'), await start('b')];
    // random, so both nodes have channels before the kill (p2c may keep to one).
    const selector = createSelector({ balancer: 'random' });
    const client = createGrpcClient({
      endpoint: 'discovery:///greeter',
      discovery: await registryOf(a, b),
      selector,
      timeout: 10_000,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    await client.ready(AbortSignal.timeout(10_000));
    const call = async (name: string) =>
      ((await client.unary(GreeterService.SayHello, helloRequest({ name }))) as HelloReply).message;
    const warm = new Set<string>();
    for (let i = 0; i < 50 || warm.size < 2; i++) warm.add((await call(`warm${i}`)).split(' from ')[1]!);
    await sigkill(a);
    const nodeA = selector.nodes().find((n) => n.address === `127.0.0.1:${a.port}`)!;
    // The lost connection takes a out of rotation; calls made while it is dead all succeed on b.
    await until(() => selector.isDown(nodeA), 4000);
    for (let i = 0; i < 50; i++) expect(await call(`dead${i}`)).toBe(`Hello dead${i} from b`);
    expect(selector.isDown(nodeA)).toBe(true);
    // A new process at the same address: the channel reconnects (grpc-js backoff) and a is picked again.
    await start('a2', a.port);
    let fromA2 = 0;
    for (let i = 0; i < 4000 && fromA2 === 0; i++) {
      if ((await call(`back${i}`)).endsWith(' from a2')) fromA2++;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(fromA2).toBe(1);
    expect(selector.isDown(nodeA)).toBe(false);
  }, 90_000);
});

describe('gRPC client: transparent retry', () => {
  it('retries calls that never left the client on another node, whatever the node order', async () => {
    const { server } = await fixture.setup({ SayHello: sayHello });
    // Port 1 on loopback refuses connections: every attempt there fails before any byte is sent.
    const selector = createSelector({ balancer: 'random' });
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:1,127.0.0.1:${server.port}`,
      selector,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.unary(GreeterService.SayHello, helloRequest({ name: `n${i}` })),
      ),
    );
    expect(replies.map((r) => (r as HelloReply).message)).toEqual(
      Array.from({ length: 200 }, (_, i) => `Hello n${i}`),
    );
    const refused = selector.nodes().find((n) => n.address === '127.0.0.1:1')!;
    expect(selector.isDown(refused)).toBe(true);
  });

  it('server streams too, before their first message', async () => {
    const { server } = await fixture.setup({
      SayHello: sayHello,
      StreamHellos: async function* (_ctx: Context, req: HelloRequest) {
        yield helloReply({ message: `1 ${req.name}` });
        yield helloReply({ message: `2 ${req.name}` });
      },
    });
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:1,127.0.0.1:${server.port}`,
      selector: createSelector({ balancer: 'wrr' }),
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    for (let i = 0; i < 20; i++) {
      const got: string[] = [];
      for await (const m of client.serverStream(GreeterService.StreamHellos, helloRequest({ name: `s${i}` })))
        got.push((m as HelloReply).message);
      expect(got).toEqual([`1 s${i}`, `2 s${i}`]);
    }
  });

  it('fails with UNAVAILABLE (503) once every node refused, each tried once, without waiting for the deadline', async () => {
    const client = createGrpcClient({
      endpoint: 'direct:///127.0.0.1:1,127.0.0.2:1',
      timeout: 60_000,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    const err = await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' })).catch((e) => e);
    expect(KratosError.is(err)).toBe(true);
    expect(err.code).toBe(503);
    // Both nodes are down now; a pick still goes somewhere (panic mode) and fails the same way.
    const again = await client.unary(GreeterService.SayHello, helloRequest({ name: 'y' })).catch((e) => e);
    expect(again.code).toBe(503);
  });
});
