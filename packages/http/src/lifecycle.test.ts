import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from './index.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';

const desc = {
  method: 'GET',
  path: '/gate/{name}',
  operation: '/t.S/Gate',
  input: HelloRequestSchema,
  output: HelloReplySchema,
};

interface Got {
  status: number;
  body: string;
  connection: string | undefined;
  reused: boolean;
}

function get(port: number, path: string, agent: Agent | false = false): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          connection: res.headers.connection,
          reused: req.reusedSocket,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function gatedServer(idleGrace?: number) {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let entered: () => void = () => {};
  const inHandler = new Promise<void>((r) => {
    entered = r;
  });
  const aborted: unknown[] = [];
  const s = createHttpServer({ address: '127.0.0.1:0', logger: { log() {} }, timeout: 0, idleGrace });
  s.route(desc, async (ctx, r: any) => {
    ctx.signal.addEventListener('abort', () => aborted.push(ctx.signal.reason));
    entered();
    await Promise.race([gate, new Promise((res) => setTimeout(res, 5000))]);
    return { message: r.name };
  });
  return { s, release: () => release(), inHandler, aborted };
}

describe('graceful stop', () => {
  it('lets in-flight requests finish and refuses new connections', async () => {
    const { s, release, inHandler } = gatedServer();
    await s.start();
    const port = s.address()!.port;
    const inflight = get(port, '/gate/first');
    await inHandler;
    const stopped = s.stop();
    const refused = await get(port, '/gate/second').catch((e: NodeJS.ErrnoException) => e.code);
    expect(refused).toBe('ECONNREFUSED');
    release();
    expect(await inflight).toMatchObject({ status: 200, body: '{"message":"first"}' });
    await stopped;
  });

  it('drops what is left when the stop signal fires, cancelling the handlers', async () => {
    const { s, release, inHandler, aborted } = gatedServer();
    await s.start();
    const port = s.address()!.port;
    const inflight = get(port, '/gate/stuck').catch((e: NodeJS.ErrnoException) => e.code);
    await inHandler;
    const controller = new AbortController();
    const stopped = s.stop({ signal: controller.signal });
    controller.abort();
    await stopped;
    expect(await inflight).toBe('ECONNRESET');
    expect((aborted[0] as Error).name).toBe('AbortError');
    release();
  });
});

/** A raw keep-alive connection that has had one request answered, and a promise of its close. */
async function idleConnection(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(data)));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      data += d;
      if (data.endsWith('{"message":"idle"}')) resolve();
    });
    socket.write('GET /gate/idle HTTP/1.1\r\nHost: a\r\n\r\n');
  });
  return { socket, closed };
}

describe('draining a kept-alive client', () => {
  it('serves a request sent on an idle connection after the stop began, with Connection: close', async () => {
    // A grace far beyond the test: the stop can only end by that connection closing after its reply.
    const { s, release } = gatedServer(600_000);
    release();
    await s.start();
    const port = s.address()!.port;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(port, '/gate/first', agent);
      expect([first.status, first.connection]).toEqual([200, 'keep-alive']);
      const stopped = s.stop();
      const second = await get(port, '/gate/second', agent);
      expect(second).toEqual({
        status: 200,
        body: '{"message":"second"}',
        connection: 'close',
        reused: true,
      });
      await stopped;
    } finally {
      agent.destroy();
    }
  });

  it('answers a request in flight when the stop began with Connection: close', async () => {
    const { s, release, inHandler } = gatedServer(600_000);
    await s.start();
    const port = s.address()!.port;
    const agent = new Agent({ keepAlive: true });
    try {
      const inflight = get(port, '/gate/inflight', agent);
      await inHandler;
      const stopped = s.stop();
      release();
      expect(await inflight).toMatchObject({ status: 200, connection: 'close' });
      await stopped;
    } finally {
      agent.destroy();
    }
  });

  it('closes idle keep-alive connections, and ones that never sent a byte, after idleGrace', async () => {
    const { s, release } = gatedServer(50);
    release();
    await s.start();
    const port = s.address()!.port;
    const idle = await idleConnection(port);
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((resolve) => silent.once('connect', resolve));
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    await s.stop();
    await Promise.all([idle.closed, silentClosed]);
    expect(idle.socket.destroyed).toBe(true);
  });
});
