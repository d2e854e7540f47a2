// The gRPC client across a restart of an instance (it leaves discovery, comes back at the same
// address) and against a server that drops its connection after reading a call.
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createMemoryRegistry, KratosError, type ServiceInstance } from '@kratos/core';
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
import { greeterFixture, silent, until } from './testdata/harness.ts';

const fixture = greeterFixture();

const instance = (id: string, port: number): ServiceInstance => ({
  id,
  name: 'greeter',
  version: 'v1',
  metadata: {},
  endpoints: [`grpc://127.0.0.1:${port}?isSecure=false`],
});

const from = (who: string) => async (_ctx: unknown, req: HelloRequest) =>
  helloReply({ message: `Hello ${req.name} from ${who}` });

describe('gRPC client: an instance announced again after a restart', () => {
  it('is called at once on a fresh channel, not failed by the old channel’s reconnect backoff', async () => {
    const a = await fixture.server({ SayHello: from('a') });
    const b = await fixture.server({ SayHello: from('b') });
    const port = a.port;
    const registry = createMemoryRegistry();
    await registry.register(instance('a', port));
    await registry.register(instance('b', b.port));
    const selector = createSelector({ balancer: 'random' });
    const client = createGrpcClient({
      endpoint: 'discovery:///greeter',
      discovery: registry,
      selector,
      // A reconnect backoff far longer than the test: a channel that failed to connect once stays
      // in TRANSIENT_FAILURE throughout.
      channelOptions: {
        'grpc.initial_reconnect_backoff_ms': 600_000,
        'grpc.max_reconnect_backoff_ms': 600_000,
      },
      timeout: 20_000,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    await client.ready(AbortSignal.timeout(10_000));
    const call = async (name: string) =>
      ((await client.unary(GreeterService.SayHello, helloRequest({ name }))) as HelloReply).message;
    // Both channels connect when the set arrives; a is up once its channel is READY.
    const nodeOf = (p: number) => selector.nodes().find((n) => n.address === `127.0.0.1:${p}`);
    await until(() => nodeOf(port) !== undefined && !selector.isDown(nodeOf(port)!), 4000);

    // Rolling restart of a: deregistered, stopped; its channel's reconnect is refused (down).
    await registry.deregister(instance('a', port));
    await until(() => nodeOf(port) === undefined, 4000);
    await a.stop();
    for (let i = 0; i < 20; i++) expect(await call(`while-a-is-gone${i}`)).toMatch(/from b$/);

    // a2 listens at a's address and is registered again; then b leaves.
    const a2 = await fixture.server({ SayHello: from('a2') }, { address: `127.0.0.1:${port}` });
    expect(a2.port).toBe(port);
    await registry.register(instance('a2', port));
    await until(() => nodeOf(port) !== undefined && !selector.isDown(nodeOf(port)!), 4000);
    await registry.deregister(instance('b', b.port));
    await until(() => selector.nodes().length === 1, 4000);
    for (let i = 0; i < 20; i++) expect(await call(`after${i}`)).toBe(`Hello after${i} from a2`);
  }, 60_000);

  it('leaves a node that is not connected yet out of picks while another is READY', async () => {
    const b = await fixture.server({ SayHello: from('b') });
    const registry = createMemoryRegistry();
    await registry.register(instance('b', b.port));
    const selector = createSelector({ balancer: 'random' });
    const client = createGrpcClient({
      endpoint: 'discovery:///greeter',
      discovery: registry,
      selector,
      timeout: 20_000,
      logger: silent,
    });
    fixture.cleanup(() => client.close());
    await client.ready(AbortSignal.timeout(10_000));
    expect(await client.unary(GreeterService.SayHello, helloRequest({ name: 'x' }))).toBeDefined();
    // Port 1 refuses: the node is down from the moment its channel is made.
    await registry.register(instance('refusing', 1));
    await until(() => selector.nodes().length === 2, 4000);
    const refusing = selector.nodes().find((n) => n.address === '127.0.0.1:1')!;
    expect(selector.isDown(refusing)).toBe(true);
  });
});

/** An HTTP/2 server that reads each call's headers, counts it and drops the connection unanswered. */
async function dropper(): Promise<{ server: Http2Server; port: number; got: () => number }> {
  let got = 0;
  const server = createServer();
  // The TCP sockets under the sessions, by client port: an HTTP/2 session only hands out a guarded
  // proxy of its socket (Node 22 refuses destroy() through it).
  const sockets = new Map<number, Socket>();
  server.on('connection', (socket: Socket) => {
    const port = socket.remotePort!;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
  });
  server.on('stream', (stream) => {
    got++;
    const port = stream.session?.socket.remotePort;
    if (port !== undefined) sockets.get(port)?.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fixture.cleanup(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets.values()) s.destroy();
      }),
  );
  return { server, port: (server.address() as AddressInfo).port, got: () => got };
}

describe('gRPC client: a connection dropped after the call was written', () => {
  it('sends an idempotent call once more to another node; other calls fail with 503, as grpc-go', async () => {
    const drop = await dropper();
    const good = await fixture.server({ SayHello: from('good') });
    const endpoint = `direct:///127.0.0.1:${drop.port},127.0.0.1:${good.port}`;
    // Deadlines far beyond the test: every failure seen is the drop's, not a slow host's.
    const plain = createGrpcClient({
      endpoint,
      selector: createSelector({ balancer: 'random' }),
      timeout: 30_000,
      logger: silent,
    });
    const idem = createGrpcClient({
      endpoint,
      selector: createSelector({ balancer: 'random' }),
      idempotent: [GreeterService.SayHello.path],
      timeout: 30_000,
      logger: silent,
    });
    fixture.cleanup(() => plain.close());
    fixture.cleanup(() => idem.close());

    // Without `idempotent`: a call the dropper read fails, whatever node comes next.
    let failed: unknown;
    for (let i = 0; failed === undefined; i++) {
      if (i >= 2000) throw new Error('the dropper never got a call');
      await plain.unary(GreeterService.SayHello, helloRequest({ name: `p${i}` })).catch((e) => {
        failed = e;
      });
    }
    expect(KratosError.is(failed) && failed.code).toBe(503);

    // With it: every call succeeds although the dropper keeps reading (and dropping) some of them.
    const before = drop.got();
    for (let i = 0; i < 100 || drop.got() - before < 3; i++) {
      if (i >= 4000) throw new Error('the dropper got too few calls');
      const r = (await idem.unary(GreeterService.SayHello, helloRequest({ name: `i${i}` }))) as HelloReply;
      expect(r.message).toBe(`Hello i${i} from good`);
    }
  }, 60_000);
});
