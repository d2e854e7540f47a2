import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { type HttpRouteDesc, type HttpServer, streamReply } from './index.ts';
import { FileRequestSchema, HttpBodySchema } from './testdata/bodies.ts';
import { HelloReplySchema, HelloRequestSchema } from './testdata/echo.ts';
import { httpServers } from './testdata/serve.ts';

const { start } = httpServers();

const hello: HttpRouteDesc = {
  method: 'GET',
  path: '/hello/{name}',
  operation: '/t.Greeter/Hello',
  input: HelloRequestSchema,
  output: HelloReplySchema,
};
const download: HttpRouteDesc = {
  method: 'GET',
  path: '/download/{name}',
  operation: '/test.v1.Files/Download',
  input: FileRequestSchema,
  output: HttpBodySchema,
};

function routes(s: HttpServer): void {
  // `/hello/big` answers ~4 KiB (compressible), others a few bytes
  s.route(hello, async (_ctx, req: { name: string }) => ({
    message: req.name === 'big' ? 'kratos '.repeat(600) : `Hello ${req.name}`,
  }));
}

async function* chunks(): AsyncGenerator<Buffer> {
  for (let i = 0; i < 8; i++) yield Buffer.alloc(1024, 0x61);
}

describe('CORS (@fastify/cors)', () => {
  it('is off by default: no CORS headers, a preflight is just a method the route does not take', async () => {
    const base = await start(routes);
    const res = await request(`${base}/hello/a`, { headers: { origin: 'https://app.example' } });
    await res.body.dump();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await request(`${base}/hello/a`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.statusCode).toBe(405);
    expect(await pre.body.json()).toMatchObject({ reason: 'METHOD_NOT_ALLOWED' });
  });

  it('cors: true allows any origin, on replies, errors and preflights', async () => {
    const base = await start(routes, { cors: true });
    const res = await request(`${base}/hello/a`, { headers: { origin: 'https://app.example' } });
    expect(await res.body.json()).toEqual({ message: 'Hello a' });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const missing = await request(`${base}/nowhere`, { headers: { origin: 'https://app.example' } });
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    const pre = await request(`${base}/hello/a`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-md-global-user',
      },
    });
    await pre.body.dump();
    expect(pre.statusCode).toBe(204);
    expect(String(pre.headers['access-control-allow-methods'])).toContain('GET');
    expect(pre.headers['access-control-allow-headers']).toBe('x-md-global-user');
  });

  it('a filter that refuses a request (401) still answers with the CORS headers, preflights pass', async () => {
    const base = await start(routes, {
      cors: true,
      filters: [
        async (request, reply) => {
          if (request.headers.authorization === undefined) {
            await reply
              .code(401)
              .send({ code: 401, reason: 'UNAUTHORIZED', message: 'no token', metadata: {} });
          }
        },
      ],
    });
    const refused = await request(`${base}/hello/a`, { headers: { origin: 'https://app.example' } });
    expect(refused.statusCode).toBe(401);
    await refused.body.dump();
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    const pre = await request(`${base}/hello/a`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    await pre.body.dump();
    expect(pre.statusCode).toBe(204);
    const ok = await request(`${base}/hello/a`, {
      headers: { origin: 'https://app.example', authorization: 'Bearer t' },
    });
    expect(await ok.body.json()).toEqual({ message: 'Hello a' });
  });

  it('takes @fastify/cors options: listed origins only, with credentials', async () => {
    const base = await start(routes, { cors: { origin: ['https://app.example'], credentials: true } });
    const ok = await request(`${base}/hello/a`, { headers: { origin: 'https://app.example' } });
    await ok.body.dump();
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const other = await request(`${base}/hello/a`, { headers: { origin: 'https://evil.example' } });
    await other.body.dump();
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('compression (@fastify/compress)', () => {
  it('is off by default', async () => {
    const base = await start(routes);
    const res = await request(`${base}/hello/big`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(((await res.body.json()) as { message: string }).message).toHaveLength(4200);
  });

  it('compression: true compresses replies of 1 KiB and more in the encoding the client asks for', async () => {
    const base = await start(routes, { compression: true });
    const gz = await request(`${base}/hello/big`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const gzBytes = Buffer.from(await gz.body.arrayBuffer());
    expect(gzBytes.length).toBeLessThan(1024);
    expect(JSON.parse(gunzipSync(gzBytes).toString()).message).toHaveLength(4200);

    const br = await request(`${base}/hello/big`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    const brBytes = Buffer.from(await br.body.arrayBuffer());
    expect(JSON.parse(brotliDecompressSync(brBytes).toString()).message).toHaveLength(4200);

    const small = await request(`${base}/hello/a`, { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(await small.body.json()).toEqual({ message: 'Hello a' });

    const none = await request(`${base}/hello/big`);
    expect(none.headers['content-encoding']).toBeUndefined();
    await none.body.dump();
  });

  it('compresses streamed replies too', async () => {
    const base = await start(
      (s) => {
        s.route(download, async () => streamReply(chunks(), { contentType: 'text/plain' }));
      },
      { compression: { encodings: ['gzip'] } },
    );
    const res = await request(`${base}/download/x`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString();
    expect(text).toBe('a'.repeat(8192));
  });
});
