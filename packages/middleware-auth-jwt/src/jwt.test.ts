import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { type Context, createContext, type Handler, KratosError, Metadata } from '@kratos/core';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { silentLogger } from '@kratos/testkit';
import {
  PingerService,
  PingRequestSchema,
  pingMethod,
  pingReply,
  pingRoute,
  rawGrpcPing,
} from '@kratos/testkit/ping';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { claimsFromContext, jwtClient, jwtServer } from './index.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const SECRET = 'a-long-enough-test-secret-for-hs256!';
const secret = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

const hs256 = (claims: Record<string, unknown> = { sub: 'alice' }, key: Uint8Array = secret, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(key);

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Runs `mw` on a server context with the given Authorization header; resolves to the claims or the error. */
async function call(mw: ReturnType<typeof jwtServer>, authorization?: string): Promise<unknown> {
  const ctx = createContext({
    side: 'server',
    operation: '/t.T/Call',
    requestHeader: new Metadata(authorization === undefined ? {} : { authorization }),
  });
  const h: Handler = async (c: Context) => claimsFromContext(c);
  return mw(h)(ctx, null).catch((e: unknown) => e);
}

const unauthorized = (message: string) => ({ code: 401, reason: 'UNAUTHORIZED', message });

describe('jwtServer', () => {
  const mw = jwtServer({ key: SECRET });

  it('accepts a good token and puts the claims in the context', async () => {
    expect(await call(mw, `Bearer ${await hs256({ sub: 'alice', role: 'admin' })}`)).toMatchObject({
      sub: 'alice',
      role: 'admin',
    });
    // "bearer" is matched without regard to case, as Go does.
    expect(await call(mw, `bearer ${await hs256()}`)).toMatchObject({ sub: 'alice' });
  });

  it('missing or non-bearer Authorization: JWT token is missing', async () => {
    expect(await call(mw)).toMatchObject(unauthorized('JWT token is missing'));
    expect(await call(mw, 'Basic dXNlcjpwYXNz')).toMatchObject(unauthorized('JWT token is missing'));
    expect(await call(mw, 'Bearer')).toMatchObject(unauthorized('JWT token is missing'));
  });

  it('malformed token: Token is invalid', async () => {
    expect(await call(mw, 'Bearer not-a-jwt')).toMatchObject(unauthorized('Token is invalid'));
    expect(await call(mw, 'Bearer a.b.c')).toMatchObject(unauthorized('Token is invalid'));
  });

  it('forged signature: Fail to parse JWT token', async () => {
    const forged = await hs256(
      { sub: 'alice' },
      new TextEncoder().encode('another-secret-another-secret-000'),
    );
    expect(await call(mw, `Bearer ${forged}`)).toMatchObject(unauthorized('Fail to parse JWT token '));
    // A valid token whose payload was swapped.
    const [h, , s] = (await hs256({ sub: 'alice' })).split('.');
    expect(await call(mw, `Bearer ${h}.${b64({ sub: 'root' })}.${s}`)).toMatchObject(
      unauthorized('Fail to parse JWT token '),
    );
  });

  it('expired or not yet valid: JWT token has expired', async () => {
    expect(await call(mw, `Bearer ${await hs256({ sub: 'a', exp: now() - 60 })}`)).toMatchObject(
      unauthorized('JWT token has expired'),
    );
    expect(await call(mw, `Bearer ${await hs256({ sub: 'a', nbf: now() + 3600 })}`)).toMatchObject(
      unauthorized('JWT token has expired'),
    );
  });

  it('rejects alg none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root' })}.`;
    expect(await call(mw, `Bearer ${unsigned}`)).toMatchObject(unauthorized('Fail to parse JWT token '));
    const permissive = jwtServer({ key: SECRET, algorithms: ['HS256', 'none'] });
    expect(await call(permissive, `Bearer ${unsigned}`)).toMatchObject({ code: 401 });
  });

  it('another algorithm than the configured one: Wrong signing method', async () => {
    const hs384 = await hs256({ sub: 'a' }, secret, 'HS384');
    expect(await call(mw, `Bearer ${hs384}`)).toMatchObject(unauthorized('Wrong signing method'));
  });

  it('checks issuer and audience, and maps claims', async () => {
    const strict = jwtServer({
      key: SECRET,
      issuer: 'https://issuer.example',
      audience: 'api',
      claims: (p) => {
        if (p.sub === 'banned') throw new KratosError(403, 'BANNED', 'banned');
        return { user: p.sub };
      },
    });
    const good = await hs256({ sub: 'bob', iss: 'https://issuer.example', aud: 'api' });
    expect(await call(strict, `Bearer ${good}`)).toEqual({ user: 'bob' });
    const wrongIss = await hs256({ sub: 'bob', iss: 'https://evil.example', aud: 'api' });
    expect(await call(strict, `Bearer ${wrongIss}`)).toMatchObject(unauthorized('Fail to parse JWT token '));
    const banned = await hs256({ sub: 'banned', iss: 'https://issuer.example', aud: 'api' });
    expect(await call(strict, `Bearer ${banned}`)).toMatchObject({ code: 403, reason: 'BANNED' });
  });

  it('finds keys by kid; an unknown kid is Token is invalid', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const byKid = jwtServer({ keys: { k1: publicKey } });
    const token = await new SignJWT({ sub: 'e' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(privateKey);
    expect(await call(byKid, `Bearer ${token}`)).toMatchObject({ sub: 'e' });
    const other = await new SignJWT({ sub: 'e' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k9' })
      .sign(privateKey);
    expect(await call(byKid, `Bearer ${other}`)).toMatchObject(unauthorized('Token is invalid'));
  });

  it('only works on the server side', async () => {
    const ctx = createContext({ side: 'client', operation: '/t.T/Call' });
    await expect(mw(async () => 1)(ctx, null)).rejects.toMatchObject(
      unauthorized('Wrong context for middleware'),
    );
  });

  it('rejects ambiguous key options', () => {
    expect(() => jwtServer({ key: SECRET, jwksUrl: 'http://127.0.0.1:1/jwks' })).toThrow(TypeError);
  });
});

describe('JWKS with key rotation', () => {
  it('accepts tokens of a key published after the first fetch', async () => {
    const a = await generateKeyPair('RS256');
    const b = await generateKeyPair('EdDSA');
    const published: JWK[] = [{ ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'RS256', use: 'sig' }];
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => jwks.close(() => r())));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    const mw = jwtServer({ jwksUrl: url, jwks: { cooldownDuration: 0 } });

    const tokenA = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'RS256', kid: 'a' })
      .sign(a.privateKey);
    expect(await call(mw, `Bearer ${tokenA}`)).toMatchObject({ sub: 'a' });
    expect(await call(mw, `Bearer ${tokenA}`)).toMatchObject({ sub: 'a' });
    expect(fetches).toBe(1); // cached

    const tokenB = await new SignJWT({ sub: 'b' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'b' })
      .sign(b.privateKey);
    expect(await call(mw, `Bearer ${tokenB}`)).toMatchObject(unauthorized('Token is invalid'));

    // Rotation: the issuer publishes key b and retires a.
    published.splice(0, 1, { ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'EdDSA', use: 'sig' });
    expect(await call(mw, `Bearer ${tokenB}`)).toMatchObject({ sub: 'b' });
    expect(fetches).toBeGreaterThanOrEqual(2);
  });

  it('an unreachable JWKS endpoint is a 401, not a crash', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const mw = jwtServer({ jwksUrl: `http://127.0.0.1:${port}/jwks`, jwks: { timeoutDuration: 2000 } });
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'x' }).sign(privateKey);
    expect(await call(mw, `Bearer ${token}`)).toMatchObject({ code: 401, reason: 'UNAUTHORIZED' });
  });
});

describe('jwtClient', () => {
  it('needs a key or a sign function, and a client context', async () => {
    const none = jwtClient({});
    await expect(none(async () => 1)(createContext({ side: 'client' }), null)).rejects.toMatchObject(
      unauthorized('Token provider is missing'),
    );
    const ok = jwtClient({ key: SECRET });
    await expect(ok(async () => 1)(createContext({ side: 'server' }), null)).rejects.toMatchObject(
      unauthorized('Wrong context for middleware'),
    );
  });

  it('a signing failure is Can not sign token', async () => {
    const bad = jwtClient({ key: SECRET, algorithm: 'RS256' });
    await expect(bad(async () => 1)(createContext({ side: 'client' }), null)).rejects.toMatchObject(
      unauthorized('Can not sign token.Is the key correct?'),
    );
  });

  it('HTTP round trip: the client signs, the server verifies and reads the claims', async () => {
    const server = createHttpServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      middleware: [jwtServer({ key: SECRET })],
    });
    server.route(pingRoute, async (ctx) => pingReply(`hi ${claimsFromContext(ctx)?.sub}`));
    await server.start();
    closers.push(() => server.stop());
    const endpoint = `http://127.0.0.1:${server.address()!.port}`;
    const client = createHttpClient({
      endpoint,
      middleware: [jwtClient({ key: SECRET, claims: { sub: 'carol' }, expiresIn: '5m' })],
    });
    closers.push(() => client.close());
    expect(await client.invoke(pingRoute, { name: 'x' })).toMatchObject({ message: 'hi carol' });

    const anonymous = createHttpClient({ endpoint });
    closers.push(() => anonymous.close());
    await expect(anonymous.invoke(pingRoute, { name: 'x' })).rejects.toMatchObject(
      unauthorized('JWT token is missing'),
    );
    const expired = createHttpClient({
      endpoint,
      middleware: [jwtClient({ sign: () => hs256({ sub: 'x', exp: now() - 10 }) })],
    });
    closers.push(() => expired.close());
    await expect(expired.invoke(pingRoute, { name: 'x' })).rejects.toMatchObject(
      unauthorized('JWT token has expired'),
    );
  });

  it('gRPC round trip: metadata carries the token; failures are UNAUTHENTICATED', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const server = createGrpcServer({
      address: '127.0.0.1:0',
      logger: silentLogger,
      middleware: [jwtServer({ keys: { k1: publicKey } })],
    });
    server.registerService(PingerService, {
      Ping: (async (ctx: Context) => pingReply(`hi ${claimsFromContext(ctx)?.sub}`)) as never,
    });
    await server.start();
    closers.push(() => server.stop());
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:${server.port}`,
      logger: silentLogger,
      middleware: [
        jwtClient({ key: privateKey, algorithm: 'ES256', header: { kid: 'k1' }, claims: { sub: 'dave' } }),
      ],
    });
    closers.push(() => client.close());
    expect(await client.unary(pingMethod, create(PingRequestSchema, { name: 'x' }) as never)).toMatchObject({
      message: 'hi dave',
    });
    const raw = await rawGrpcPing(server.port, 'x');
    expect(raw.code).toBe(16); // UNAUTHENTICATED
    expect(raw.details).toBe('JWT token is missing');
  });
});
