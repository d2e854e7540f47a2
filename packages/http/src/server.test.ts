import { readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { KratosError, type Middleware } from '@kratos/core';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from './index.ts';
import { markedCodec, protoCodec } from './testdata/codecs.ts';
import { HelloReplySchema, HelloRequestSchema, UpdateUserRequestSchema } from './testdata/echo.ts';
import { echo, httpServers, quiet } from './testdata/serve.ts';

const { start, track } = httpServers();

describe('createHttpServer: routing and binding', () => {
  it('negotiates codecs: body by Content-Type, reply by Accept, then Content-Type, then JSON', async () => {
    const base = await start(
      (s) => {
        s.route(
          {
            method: 'POST',
            path: '/hello',
            operation: '/t.S/Hello',
            input: HelloRequestSchema,
            output: HelloReplySchema,
            body: '*',
          },
          async (_c, r: any) => ({ message: `hi ${r.name}` }),
        );
      },
      { codecs: [protoCodec, markedCodec] },
    );
    const { create } = await import('@bufbuild/protobuf');
    const protoBody = toBinary(HelloRequestSchema, create(HelloRequestSchema, { name: 'bin' }));
    const r1 = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: protoBody,
    });
    expect(r1.headers.get('content-type')).toBe('application/x-protobuf');
    expect((fromBinary(HelloReplySchema, new Uint8Array(await r1.arrayBuffer())) as any).message).toBe(
      'hi bin',
    );

    const r2 = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', accept: 'application/json' },
      body: protoBody,
    });
    expect(r2.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r2.json()).toEqual({ message: 'hi bin' });

    const r3 = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-marked', accept: 'text/html, application/x-marked;q=0.9' },
      body: '#marked\n{"name":"m"}',
    });
    expect(r3.headers.get('content-type')).toBe('application/x-marked');
    expect(await r3.text()).toBe('#marked\n{"message":"hi m"}');

    const r4 = await fetch(`${base}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'image/png' },
      body: '{"name":"j"}',
    });
    expect(r4.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r4.json()).toEqual({ message: 'hi j' });
  });

  it('runs middleware with the operation, request metadata and reply headers', async () => {
    const seen: string[] = [];
    const mw: Middleware = (next) => async (ctx, req) => {
      seen.push(
        `${ctx.kind}:${ctx.side}:${ctx.operation}:${ctx.metadata.get('x-md-global-user')}:${ctx.requestHeader.get('x-plain')}`,
      );
      ctx.replyHeader.set('x-served-by', 'kratos');
      return next(ctx, req);
    };
    const base = await start(
      (s) => {
        s.route(
          {
            method: 'GET',
            path: '/hello/{name}',
            operation: '/t.S/Hello',
            input: HelloRequestSchema,
            output: HelloReplySchema,
          },
          async (ctx, r: any) => {
            expect(ctx.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\?isSecure=false$/);
            expect(ctx.metadata.has('x-plain')).toBe(false);
            return { message: r.name };
          },
        );
      },
      { middleware: [mw] },
    );
    const res = await fetch(`${base}/hello/x`, { headers: { 'x-md-global-user': 'ann', 'x-plain': 'p' } });
    expect(res.headers.get('x-served-by')).toBe('kratos');
    expect(seen).toEqual(['http:server:/t.S/Hello:ann:p']);
  });

  it('answers thrown errors with the Kratos body and status, never a stack', async () => {
    const base = await start((s) => {
      s.route(
        {
          method: 'GET',
          path: '/k',
          operation: '/t.S/K',
          input: HelloRequestSchema,
          output: HelloReplySchema,
        },
        async (ctx) => {
          ctx.replyHeader.set('x-trace', 't1');
          throw new KratosError(404, 'USER_NOT_FOUND', 'user 7 not found', { metadata: { id: '7' } });
        },
      );
      s.route(
        {
          method: 'GET',
          path: '/boom',
          operation: '/t.S/Boom',
          input: HelloRequestSchema,
          output: HelloReplySchema,
        },
        async () => {
          throw new TypeError('kaput');
        },
      );
      s.route(
        {
          method: 'GET',
          path: '/sync',
          operation: '/t.S/Sync',
          input: HelloRequestSchema,
          output: HelloReplySchema,
        },
        (() => {
          throw new Error('sync throw');
        }) as never,
      );
      s.route(
        {
          method: 'GET',
          path: '/badcode',
          operation: '/t.S/Bad',
          input: HelloRequestSchema,
          output: HelloReplySchema,
        },
        async () => {
          throw new KratosError(1000, 'WEIRD', 'out of range code');
        },
      );
    });
    const k = await fetch(`${base}/k`);
    expect(k.status).toBe(404);
    expect(k.headers.get('x-trace')).toBe('t1');
    expect(k.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await k.json()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'user 7 not found',
      metadata: { id: '7' },
    });
    for (const path of ['/boom', '/sync']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status).toBe(500);
      const text = await r.text();
      expect(text).not.toMatch(/at .*\.ts/);
      expect(JSON.parse(text).reason).toBe('');
    }
    const bad = await fetch(`${base}/badcode`);
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as any).reason).toBe('WEIRD');
  });

  it('rejects duplicate routes and malformed templates at registration', () => {
    const s = createHttpServer({ address: '127.0.0.1:0', logger: quiet });
    const desc = {
      method: 'GET',
      path: '/v1/users/{id}',
      operation: '/t.S/A',
      input: UpdateUserRequestSchema,
      output: HelloReplySchema,
    };
    s.route(desc, echo as never);
    expect(() => s.route({ ...desc, path: '/v1/users/{mask}', operation: '/t.S/B' }, echo as never)).toThrow(
      /duplicate route GET \/v1\/users\/\{mask\}.*\/t\.S\/A/,
    );
    expect(() => s.route({ ...desc, path: '/v1/{id' }, echo as never)).toThrow(/invalid http path template/);
    expect(() => s.route({ ...desc, path: '/v1/x/{nope}' }, echo as never)).toThrow(/no field "nope"/);
    expect(() => s.route({ ...desc, path: '/v1/y', body: 'missing' }, echo as never)).toThrow(
      /body field "missing"/,
    );
  });

  it('serves plain routes next to generated ones, behind the filters', async () => {
    const calls: string[] = [];
    const base = await start(
      (s) => {
        s.get('/healthz', async () => 'ok');
        s.handle(['GET', 'POST'], '/raw/:id', async (req, reply) => {
          reply.type('text/plain').send(`raw ${(req.params as any).id}`);
        });
        s.route(
          {
            method: 'GET',
            path: '/hello/{name}',
            operation: '/t.S/Hello',
            input: HelloRequestSchema,
            output: HelloReplySchema,
          },
          async (_c, r: any) => ({ message: r.name }),
        );
      },
      {
        filters: [
          async (req, reply) => {
            calls.push(req.url);
            if (req.headers['x-deny'] === '1')
              reply.code(403).send({ code: 403, reason: 'DENIED', message: '', metadata: {} });
          },
        ],
      },
    );
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    expect(await (await fetch(`${base}/raw/9`, { method: 'POST' })).text()).toBe('raw 9');
    expect((await fetch(`${base}/hello/a`, { headers: { 'x-deny': '1' } })).status).toBe(403);
    expect((await fetch(`${base}/healthz`, { headers: { 'x-deny': '1' } })).status).toBe(403);
    expect(calls).toEqual(['/healthz', '/raw/9', '/hello/a', '/healthz']);
    const put = await fetch(`${base}/raw/9`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('keeps fastify JSON schemas (validation, response serialization) on routes added through the escape hatch', async () => {
    const base = await start((s) => {
      s.fastify.get(
        '/schema',
        {
          schema: {
            querystring: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
            response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
          },
        },
        async (req) => ({ n: (req.query as { n: number }).n, secret: 'not in the schema' }),
      );
    });
    const ok = await fetch(`${base}/schema?n=2`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ n: 2 });
    const bad = await fetch(`${base}/schema?n=two`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: number }).code).toBe(400);
  });

  it('serves HTTPS and advertises https://host:port?isSecure=true', async () => {
    const key = readFileSync(new URL('./testdata/localhost-key.pem', import.meta.url));
    const cert = readFileSync(new URL('./testdata/localhost-cert.pem', import.meta.url));
    const s = createHttpServer({ address: '127.0.0.1:0', logger: quiet, tls: { key, cert } });
    s.route(
      {
        method: 'GET',
        path: '/hello/{name}',
        operation: '/t.S/Hello',
        input: HelloRequestSchema,
        output: HelloReplySchema,
      },
      async (_c, r: any) => ({ message: r.name }),
    );
    track(s);
    await s.start();
    expect(s.endpoint().toString()).toBe(`https://127.0.0.1:${s.address()!.port}?isSecure=true`);
    const dispatcher = new Agent({ connect: { ca: cert } });
    const res = await request(`https://localhost:${s.address()!.port}/hello/tls`, { dispatcher });
    expect(await res.body.json()).toEqual({ message: 'tls' });
    await dispatcher.close();
  });

  it('logs where it listens and advertises a concrete endpoint', async () => {
    const lines: unknown[][] = [];
    const s = createHttpServer({ address: '0.0.0.0:0', logger: { log: (...a: unknown[]) => lines.push(a) } });
    track(s);
    expect(() => s.endpoint()).toThrow(/before start/);
    await s.start();
    expect(lines[0]).toEqual(['info', 'msg', `[HTTP] server listening on: 0.0.0.0:${s.address()!.port}`]);
    expect(s.endpoint().protocol).toBe('http:');
    expect(s.endpoint().hostname).not.toBe('0.0.0.0');
    expect(() => s.get('/late', async () => 'x')).toThrow(/after the HTTP server started/);
  });
});
