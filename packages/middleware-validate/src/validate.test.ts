import { createContext, KratosError } from '@kratos/core';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpClient, createHttpServer } from '@kratos/http';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from './index.ts';
import {
  type CreateUserRequest,
  CreateUserRequestSchema,
  createMethod,
  createRoute,
  createUser,
  registry,
  silent,
  UsersService,
  userReply,
} from './testdata/users.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const good = { name: 'alice', email: 'alice@example.com', age: 30, tags: ['a', 'b'] };

async function run(mw = validate({ registry }), req: unknown = createUser(good)) {
  let reached = false;
  const h = mw(async () => {
    reached = true;
    return 'ok';
  });
  const out = await h(createContext({ operation: '/users.v1.Users/Create' }), req).catch((e: unknown) => e);
  return { out, reached };
}

describe('validate', () => {
  it('passes a valid request to the handler', async () => {
    expect(await run()).toEqual({ out: 'ok', reached: true });
  });

  it('stops an invalid request with 400 VALIDATOR and one metadata key per field', async () => {
    const { out, reached } = await run(
      validate({ registry }),
      createUser({ name: 'al', email: 'nope', age: 200, tags: ['ok', 'too-long'], address: { city: '' } }),
    );
    expect(reached).toBe(false);
    expect(KratosError.is(out)).toBe(true);
    const e = out as KratosError;
    expect(e.code).toBe(400);
    expect(e.reason).toBe('VALIDATOR');
    expect(e.message).toMatch(
      /^name: must be at least 3 characters \[string\.min_len\], and 4 more violations$/,
    );
    expect(Object.keys(e.metadata).sort()).toEqual(['address.city', 'age', 'email', 'name', 'tags[1]']);
    expect(e.metadata.name).toBe('must be at least 3 characters');
    expect(e.metadata['tags[1]']).toBe('must be at most 5 characters');
  });

  it('fail-fast reports the first violation only', async () => {
    const { out } = await run(
      validate({ registry, failFast: true }),
      createUser({ ...good, name: 'x', age: -1 }),
    );
    expect(Object.keys((out as KratosError).metadata)).toHaveLength(1);
  });

  it('finds schemas from a list too; unknown types and non-messages pass', async () => {
    const bySchema = validate({ schemas: [CreateUserRequestSchema] });
    expect((await run(bySchema, createUser({ ...good, name: 'x' }))).out).toMatchObject({ code: 400 });
    expect(await run(validate(), createUser({ ...good, name: 'x' }))).toEqual({ out: 'ok', reached: true });
    expect(await run(bySchema, { name: 'x' })).toEqual({ out: 'ok', reached: true });
    expect(await run(bySchema, null)).toEqual({ out: 'ok', reached: true });
  });

  it('HTTP: an invalid body is answered 400 VALIDATOR before the handler', async () => {
    let handled = 0;
    const server = createHttpServer({
      address: '127.0.0.1:0',
      logger: silent,
      middleware: [validate({ registry })],
    });
    server.route(createRoute, async (_ctx, req: CreateUserRequest) => {
      handled++;
      return userReply(req.name);
    });
    await server.start();
    closers.push(() => server.stop());
    const base = `http://127.0.0.1:${server.address()!.port}`;
    const res = await fetch(`${base}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'al', email: 'alice@example.com' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 400,
      reason: 'VALIDATOR',
      message: 'name: must be at least 3 characters [string.min_len]',
      metadata: { name: 'must be at least 3 characters' },
    });
    expect(handled).toBe(0);
    const client = createHttpClient({ endpoint: base });
    closers.push(() => client.close());
    expect(await client.invoke(createRoute, createUser(good))).toMatchObject({ name: 'alice' });
    expect(handled).toBe(1);
  });

  it('gRPC: an invalid request is INVALID_ARGUMENT with reason VALIDATOR and the field metadata', async () => {
    let handled = 0;
    const server = createGrpcServer({
      address: '127.0.0.1:0',
      logger: silent,
      middleware: [validate({ registry })],
    });
    server.registerService(UsersService, {
      Create: (async (_ctx: unknown, req: CreateUserRequest) => {
        handled++;
        return userReply(req.name);
      }) as never,
    });
    await server.start();
    closers.push(() => server.stop());
    const grpc = await import('@grpc/grpc-js');
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const code = await new Promise<number>((resolve) =>
      raw.makeUnaryRequest(
        createMethod.path,
        createMethod.requestSerialize,
        createMethod.responseDeserialize,
        createUser({ ...good, email: 'bad' }),
        (err) => resolve(err?.code ?? 0),
      ),
    );
    raw.close();
    expect(code).toBe(3); // INVALID_ARGUMENT

    const client = createGrpcClient({ endpoint: `direct:///127.0.0.1:${server.port}`, logger: silent });
    closers.push(() => client.close());
    const e = await client
      .unary(createMethod, createUser({ ...good, email: 'bad' }))
      .catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 400, reason: 'VALIDATOR', metadata: { email: expect.any(String) } });
    expect(handled).toBe(0);
    expect(await client.unary(createMethod, createUser(good))).toMatchObject({ name: 'alice' });
  });
});
