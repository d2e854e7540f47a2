import { readFileSync } from 'node:fs';
import { create, type DescMessage, type Message, toJson } from '@bufbuild/protobuf';
import { createMemoryRegistry, KratosError, type Middleware, type ServiceInstance } from '@kratos/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  createHttpServer,
  type HttpClient,
  type HttpRouteDesc,
  type HttpServer,
} from './index.ts';
import { protoCodec } from './testdata/codecs.ts';
import {
  EchoRequestSchema,
  HelloReplySchema,
  HelloRequestSchema,
  UpdateUserRequestSchema,
  UserReplySchema,
} from './testdata/echo.ts';

const quiet = { log() {} };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const routes = {
  hello: {
    method: 'GET',
    path: '/hello/{name}',
    operation: '/t.S/Hello',
    input: HelloRequestSchema,
    output: HelloReplySchema,
  },
  echoGet: {
    method: 'GET',
    path: '/v1/echo/{user.id}',
    operation: '/t.S/EchoGet',
    input: EchoRequestSchema,
    output: EchoRequestSchema,
  },
  echoPost: {
    method: 'POST',
    path: '/v1/echo/{name}',
    operation: '/t.S/EchoPost',
    input: EchoRequestSchema,
    output: EchoRequestSchema,
    body: '*',
  },
  message: {
    method: 'DELETE',
    path: '/v1/{name=messages/*}',
    operation: '/t.S/Msg',
    input: EchoRequestSchema,
    output: EchoRequestSchema,
  },
  update: {
    method: 'PATCH',
    path: '/v1/users/{id}',
    operation: '/t.S/Update',
    input: UpdateUserRequestSchema,
    output: UserReplySchema,
    body: 'user',
    responseBody: 'user',
  },
  fail: {
    method: 'GET',
    path: '/fail/{name}',
    operation: '/t.S/Fail',
    input: HelloRequestSchema,
    output: HelloReplySchema,
  },
  wait: {
    method: 'GET',
    path: '/wait',
    operation: '/t.S/Wait',
    input: HelloRequestSchema,
    output: HelloReplySchema,
  },
  plain: {
    method: 'GET',
    path: '/plain',
    operation: '/t.S/Plain',
    input: HelloRequestSchema,
    output: HelloReplySchema,
  },
} satisfies Record<string, HttpRouteDesc>;

const waited: { reason?: unknown } = {};

const tlsCert = readFileSync(new URL('./testdata/localhost-cert.pem', import.meta.url));
const tlsKey = readFileSync(new URL('./testdata/localhost-key.pem', import.meta.url));

/** A server whose hello route answers `<name> from <tag>`, over HTTPS or not. */
async function startTagged(tag: string, tls: boolean): Promise<HttpServer> {
  const s = createHttpServer({
    address: '127.0.0.1:0',
    logger: quiet,
    ...(tls ? { tls: { key: tlsKey, cert: tlsCert } } : {}),
  });
  s.route(routes.hello, async (_ctx, r: { name: string }) => ({ message: `${r.name} from ${tag}` }));
  await s.start();
  closers.push(() => s.stop());
  return s;
}

function instance(id: string, name: string, endpoints: string[]): ServiceInstance {
  return { id, name, version: 'v1', metadata: {}, endpoints };
}

async function startServer(options: Parameters<typeof createHttpServer>[0] = {}): Promise<HttpServer> {
  const s = createHttpServer({ address: '127.0.0.1:0', logger: quiet, ...options });
  s.route(routes.hello, async (ctx, r: any) => {
    ctx.replyHeader.set('x-reply', `r-${ctx.requestHeader.get('x-call')}`);
    return {
      message:
        `hello ${r.name} ${ctx.requestHeader.get('x-client') ?? ''} ${ctx.metadata.get('x-md-global-tenant') ?? ''}`.trim(),
    };
  });
  s.route(routes.echoGet, async (_c, r) => r);
  s.route(routes.echoPost, async (_c, r) => r);
  s.route(routes.message, async (_c, r) => r);
  s.route(routes.update, async (_c, r: any) => ({
    user: { id: r.id, displayName: r.user?.displayName },
    version: 1,
  }));
  s.route(routes.fail, async (_c, r: any) => {
    throw new KratosError(404, 'USER_NOT_FOUND', `user ${r.name} not found`, { metadata: { name: r.name } });
  });
  s.route(
    routes.wait,
    (ctx) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({ message: 'late' }), 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          waited.reason = ctx.signal.reason;
          resolve({ message: 'aborted' });
        });
      }),
  );
  s.get('/plain', async (_req, reply) => reply.code(502).type('text/plain').send('bad gateway upstream'));
  await s.start();
  closers.push(() => s.stop());
  return s;
}

function client(s: HttpServer, options: Partial<Parameters<typeof createHttpClient>[0]> = {}): HttpClient {
  const c = createHttpClient({ endpoint: `http://127.0.0.1:${s.address()!.port}`, ...options });
  closers.push(() => c.close());
  return c;
}

const json = (schema: DescMessage, m: unknown) => toJson(schema, m as Message);

describe('createHttpClient', () => {
  it('round-trips path variables (URL-encoded), query and body', async () => {
    const c = client(await startServer());
    const hi = await c.invoke<unknown, { message: string }>(routes.hello, { name: 'a b/c' });
    expect(hi.message).toBe('hello a b/c');

    const req = create(EchoRequestSchema, {
      name: 'n',
      big: -5n,
      num: 7,
      flag: true,
      color: 2,
      ids: [1n, 2n],
      user: { id: 'u/1', displayName: 'Ann' },
      labels: { k: 'v' },
      at: { seconds: 1700000000n, nanos: 0 },
      tags: ['x', 'y'],
      data: new Uint8Array([1, 2, 3]),
      nick: 'nn',
      bigU: 18446744073709551615n,
    });
    expect(json(EchoRequestSchema, await c.invoke(routes.echoGet, req))).toEqual(
      json(EchoRequestSchema, req),
    );
    expect(json(EchoRequestSchema, await c.invoke(routes.echoPost, req))).toEqual(
      json(EchoRequestSchema, req),
    );
    const deleted = await c.invoke<unknown, { name: string; num: number }>(routes.message, {
      name: 'messages/m 1',
      num: 3,
    });
    expect([deleted.name, deleted.num]).toEqual(['messages/m 1', 3]);
    const user = await c.invoke<unknown, { user: { id: string; displayName: string } }>(routes.update, {
      id: '9',
      user: { displayName: 'Zed' },
    });
    expect(user.user).toMatchObject({ id: '9', displayName: 'Zed' });
  });

  it('turns Kratos error bodies back into the same KratosError, and other errors into status + text', async () => {
    const c = client(await startServer());
    const err = await c.invoke(routes.fail, { name: 'bob' }).catch((e: unknown) => e);
    expect(KratosError.is(err)).toBe(true);
    const k = err as KratosError;
    expect([k.code, k.reason, k.message, k.metadata]).toEqual([
      404,
      'USER_NOT_FOUND',
      'user bob not found',
      { name: 'bob' },
    ]);
    expect(k.matches(new KratosError(404, 'USER_NOT_FOUND', ''))).toBe(true);

    const plain = (await c.invoke(routes.plain, {}).catch((e: unknown) => e)) as KratosError;
    expect([plain.code, plain.reason, plain.message]).toEqual([502, '', 'bad gateway upstream']);

    const notFound = (await c
      .invoke({ ...routes.hello, path: '/missing/{name}' }, { name: 'x' })
      .catch((e: unknown) => e)) as KratosError;
    expect([notFound.code, notFound.reason]).toEqual([404, 'NOT_FOUND']);
  });

  it('sends headers and metadata, runs client middleware, exposes reply headers', async () => {
    const seen: string[] = [];
    const mw: Middleware = (next) => async (ctx, req) => {
      ctx.requestHeader.set('x-client', 'mw');
      const out = await next(ctx, req);
      seen.push(`${ctx.side}:${ctx.operation}:${ctx.replyHeader.get('x-reply')}`);
      return out;
    };
    const c = client(await startServer(), { middleware: [mw], header: { 'x-md-global-tenant': 't1' } });
    const out = await c.invoke<unknown, { message: string }>(
      routes.hello,
      { name: 'h' },
      { header: { 'x-call': '42' } },
    );
    expect(out.message).toBe('hello h mw t1');
    expect(seen).toEqual(['client:/t.S/Hello:r-42']);
  });

  it('enforces the deadline (504) and cancellation (499), aborting the server handler', async () => {
    const c = client(await startServer({ timeout: 0 }), { timeout: 100 });
    const timedOut = (await c.invoke(routes.wait, {}).catch((e: unknown) => e)) as KratosError;
    expect(timedOut.code).toBe(504);
    for (let i = 0; i < 100 && waited.reason === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect((waited.reason as Error).name).toBe('AbortError');

    const controller = new AbortController();
    const call = c
      .invoke(routes.wait, {}, { signal: controller.signal, timeout: 10_000 })
      .catch((e: unknown) => e);
    controller.abort();
    expect(((await call) as KratosError).code).toBe(499);

    const parent = (await import('@kratos/core')).createContext({ timeout: 50 });
    const viaParent = (await c
      .invoke(routes.wait, {}, { ctx: parent, timeout: 10_000 })
      .catch((e: unknown) => e)) as KratosError;
    expect(viaParent.code).toBe(504);
  });

  it('resolves discovery:/// targets through a Discovery and the selector', async () => {
    const s = await startServer();
    const registry = createMemoryRegistry();
    await registry.register({
      id: 'i1',
      name: 'echo',
      version: 'v1',
      metadata: {},
      endpoints: [s.endpoint().toString()],
    });
    const c = createHttpClient({ endpoint: 'discovery:///echo', discovery: registry, logger: quiet });
    closers.push(() => c.close());
    const out = await c.invoke<unknown, { message: string }>(routes.hello, { name: 'disc' });
    expect(out.message).toBe('hello disc');
    expect(() => createHttpClient({ endpoint: 'discovery:///echo' })).toThrow(/needs a discovery/);
  });

  it('an HTTPS client through discovery calls https:// (Go Kratos), https://?isSecure=true and http://?isSecure=true instances', async () => {
    const registry = createMemoryRegistry();
    const go = await startTagged('go', true);
    const ts = await startTagged('ts', true);
    const old = await startTagged('old', true);
    await registry.register(instance('go-1', 'go', [`https://127.0.0.1:${go.address()!.port}`]));
    await registry.register(instance('ts-1', 'ts', [ts.endpoint().toString()]));
    await registry.register(
      instance('old-1', 'old', [`http://127.0.0.1:${old.address()!.port}?isSecure=true`]),
    );
    for (const name of ['go', 'ts', 'old']) {
      const c = createHttpClient({
        endpoint: `discovery:///${name}`,
        discovery: registry,
        tls: { ca: tlsCert },
        logger: quiet,
      });
      closers.push(() => c.close());
      const out = await c.invoke<unknown, { message: string }>(
        routes.hello,
        { name: 'tls' },
        { timeout: 5000 },
      );
      expect(out.message).toBe(`tls from ${name}`);
    }
  });

  it('through discovery, a plaintext client takes only plaintext endpoints and an HTTPS client only TLS ones', async () => {
    const registry = createMemoryRegistry();
    const secure = await startTagged('secure', true);
    const plain = await startTagged('plain', false);
    await registry.register(instance('s', 'mixed', [`https://127.0.0.1:${secure.address()!.port}`]));
    await registry.register(instance('p', 'mixed', [`http://127.0.0.1:${plain.address()!.port}`]));
    const plainClient = createHttpClient({
      endpoint: 'discovery:///mixed',
      discovery: registry,
      logger: quiet,
    });
    const tlsClient = createHttpClient({
      endpoint: 'discovery:///mixed',
      discovery: registry,
      tls: { ca: tlsCert },
      logger: quiet,
    });
    closers.push(
      () => plainClient.close(),
      () => tlsClient.close(),
    );
    for (let i = 0; i < 10; i++) {
      const viaPlain = await plainClient.invoke<unknown, { message: string }>(routes.hello, { name: `${i}` });
      expect(viaPlain.message).toBe(`${i} from plain`);
      const viaTls = await tlsClient.invoke<unknown, { message: string }>(routes.hello, { name: `${i}` });
      expect(viaTls.message).toBe(`${i} from secure`);
    }
  });

  it('reports an unreachable node as 503', async () => {
    const s = await startServer();
    const port = s.address()!.port;
    await s.stop();
    const c = createHttpClient({ endpoint: `http://127.0.0.1:${port}` });
    closers.push(() => c.close());
    const err = (await c.invoke(routes.hello, { name: 'x' }).catch((e: unknown) => e)) as KratosError;
    expect(err.code).toBe(503);
  });

  it('speaks a binary MessageCodec', async () => {
    const c = client(await startServer({ codecs: [protoCodec] }), { codec: protoCodec });
    const req = create(EchoRequestSchema, { name: 'p', big: 1n << 60n, tags: ['a'] });
    expect(json(EchoRequestSchema, await c.invoke(routes.echoPost, req))).toEqual(
      json(EchoRequestSchema, req),
    );
    const user = await c.invoke<unknown, { user: { id: string } }>(routes.update, {
      id: '5',
      user: { displayName: 'B' },
    });
    expect(user.user.id).toBe('5');
  });
});
