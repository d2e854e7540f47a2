import { request as httpRequest } from 'node:http';
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

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function gatedServer() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let entered: () => void = () => {};
  const inHandler = new Promise<void>((r) => {
    entered = r;
  });
  const aborted: unknown[] = [];
  const s = createHttpServer({ address: '127.0.0.1:0', logger: { log() {} }, timeout: 0 });
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
    expect(await inflight).toEqual({ status: 200, body: '{"message":"first"}' });
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
