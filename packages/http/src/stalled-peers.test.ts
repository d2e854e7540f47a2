import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from './index.ts';
import { EchoRequestSchema, HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';

// Small timeouts so the server gives up on stalled peers fast; every test waits for the sockets'
// 'close' events (a server that never closed them would fail the test at its timeout).
let server: HttpServer;
let port: number;

beforeAll(async () => {
  server = createHttpServer({
    address: '127.0.0.1:0',
    logger: { log() {} },
    headerTimeout: 200,
    requestTimeout: 400,
    keepAliveTimeout: 100,
  });
  server.route(
    {
      method: 'GET',
      path: '/hello/{name}',
      operation: '/t.S/Hello',
      input: HelloRequestSchema,
      output: HelloReplySchema,
    },
    async (_c, r: any) => ({ message: r.name }),
  );
  server.route(
    {
      method: 'POST',
      path: '/echo',
      operation: '/t.S/Echo',
      body: '*',
      input: EchoRequestSchema,
      output: EchoRequestSchema,
    },
    async (_c, r) => r,
  );
  await server.start();
  port = server.address()!.port;
});

afterAll(async () => {
  await server.stop();
});

/** A socket that writes `first`, then `drip` every few ms until the server closes it. */
function stalledPeer(first: string, drip?: string): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    let timer: NodeJS.Timeout | undefined;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      if (first !== '') socket.write(first);
      if (drip !== undefined) {
        timer = setInterval(() => {
          if (!socket.destroyed && socket.writable) socket.write(drip);
        }, 20);
      }
    });
    socket.on('data', (d) => {
      data += d;
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      clearInterval(timer);
      resolve(data);
    });
  });
}

async function stillServing(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/hello/up`);
  expect(await res.json()).toEqual({ message: 'up' });
}

describe('stalled peers are closed by the server', () => {
  it('40 slowloris connections (headers trickling forever) get 408 and are closed at the header timeout', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => stalledPeer('GET /hello/x HTTP/1.1\r\nHost: a\r\n', 'X-A: b\r\n')),
    );
    for (const reply of replies) {
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(reply).toContain('"reason":"REQUEST_TIMEOUT"');
    }
    await stillServing();
  });

  it('a connection that never sends a byte is closed at the header timeout', async () => {
    expect(await stalledPeer('')).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a body trickling slower than the request timeout gets 408 and is closed', async () => {
    const head =
      'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{';
    expect(await stalledPeer(head, ' ')).toMatch(/^HTTP\/1\.1 408 /);
    await stillServing();
  });

  it('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    const reply = await stalledPeer('GET /hello/kept HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toContain('{"message":"kept"}');
  });
});
