import { describe, expect, it } from 'vitest';
import {
  type Context,
  chain,
  createContext,
  type Handler,
  type Middleware,
  matchOperations,
} from '../index.ts';
import { applyMiddleware } from '../transport.ts';

/** A middleware that records when it runs, before and after the rest of the chain. */
function tracer(name: string, log: string[]): Middleware {
  return (next) => async (ctx, req) => {
    log.push(`${name}>`);
    const reply = await next(ctx, req);
    log.push(`<${name}`);
    return reply;
  };
}

const echo: Handler = async (ctx, req) => ({ operation: ctx.operation, req });
const call = (h: Handler, operation: string) => h(createContext({ operation }), 'req');

describe('chain and applyMiddleware', () => {
  it('chain runs the first middleware outermost', async () => {
    const log: string[] = [];
    const h = chain(
      tracer('a', log),
      tracer('b', log),
      tracer('c', log),
    )(async (_ctx, req) => {
      log.push('handler');
      return req;
    });
    expect(await call(h, '/x.Y/Z')).toBe('req');
    expect(log).toEqual(['a>', 'b>', 'c>', 'handler', '<c', '<b', '<a']);
  });

  it('an empty chain is the handler itself', async () => {
    expect(chain()(echo)).toBe(echo);
    expect(applyMiddleware(echo, [])).toBe(echo);
  });

  it('applyMiddleware has the same order as chain', async () => {
    const log: string[] = [];
    const h = applyMiddleware(echo, [tracer('a', log), tracer('b', log)], '/x.Y/Z');
    expect(await call(h, '/x.Y/Z')).toEqual({ operation: '/x.Y/Z', req: 'req' });
    expect(log).toEqual(['a>', 'b>', '<b', '<a']);
  });

  it('middleware can short-circuit, change the request and the reply, and see errors', async () => {
    const deny: Middleware = (next) => async (ctx, req) => {
      if (ctx.operation === '/admin.v1.Admin/Wipe') throw new Error('denied');
      return next(ctx, req);
    };
    const upper: Middleware = (next) => async (ctx, req) => {
      const reply = (await next(ctx, String(req).toUpperCase())) as { req: string };
      return { ...reply, wrapped: true };
    };
    const h = chain(deny, upper)(echo);
    expect(await call(h, '/x.Y/Z')).toEqual({ operation: '/x.Y/Z', req: 'REQ', wrapped: true });
    await expect(call(h, '/admin.v1.Admin/Wipe')).rejects.toThrow('denied');
  });

  it('leaves selective middleware that do not match the operation out at registration', async () => {
    const log: string[] = [];
    let built = 0;
    const counted: Middleware = (next) => {
      built++;
      return tracer('auth', log)(next);
    };
    const auth = matchOperations(counted).prefix('/admin.v1.').build();
    const plain = applyMiddleware(echo, [tracer('outer', log), auth], '/public.v1.Api/Get');
    expect(built).toBe(0);
    await call(plain, '/public.v1.Api/Get');
    expect(log).toEqual(['outer>', '<outer']);

    log.length = 0;
    const admin = applyMiddleware(echo, [tracer('outer', log), auth], '/admin.v1.Admin/Wipe');
    expect(built).toBe(1);
    await call(admin, '/admin.v1.Admin/Wipe');
    expect(log).toEqual(['outer>', 'auth>', '<auth', '<outer']);
  });

  it('without an operation, selective middleware decide per call', async () => {
    const log: string[] = [];
    const auth = matchOperations(tracer('auth', log)).path('/a.A/Secret').build();
    const h = applyMiddleware(echo, [auth]);
    await call(h, '/a.A/Public');
    expect(log).toEqual([]);
    await call(h, '/a.A/Secret');
    await call(h, '/a.A/Secret');
    expect(log).toEqual(['auth>', '<auth', 'auth>', '<auth']);
  });
});

describe('matchOperations', () => {
  const applies = (m: ReturnType<ReturnType<typeof matchOperations>['build']>, op: string) => m.appliesTo(op);
  const noop: Middleware = (next) => next;

  it('by exact name', () => {
    const m = matchOperations(noop).path('/helloworld.v1.Greeter/SayHello', '/a.A/B').build();
    expect(applies(m, '/helloworld.v1.Greeter/SayHello')).toBe(true);
    expect(applies(m, '/a.A/B')).toBe(true);
    expect(applies(m, '/helloworld.v1.Greeter/SayHelloAgain')).toBe(false);
    expect(applies(m, '/helloworld.v1.Greeter/')).toBe(false);
  });

  it('by prefix', () => {
    const m = matchOperations(noop).prefix('/helloworld.v1.Greeter/').build();
    expect(applies(m, '/helloworld.v1.Greeter/SayHello')).toBe(true);
    expect(applies(m, '/helloworld.v1.Other/SayHello')).toBe(false);
  });

  it('by regular expression, global flags included', () => {
    const m = matchOperations(noop)
      .regex(/\/Delete\w*$/g)
      .build();
    expect(applies(m, '/a.A/DeleteUser')).toBe(true);
    expect(applies(m, '/a.A/DeleteUser')).toBe(true);
    expect(applies(m, '/a.A/GetUser')).toBe(false);
  });

  it('by predicate', () => {
    const m = matchOperations(noop)
      .match((op) => op.length > 10)
      .build();
    expect(applies(m, '/a.A/LongName')).toBe(true);
    expect(applies(m, '/a.A/B')).toBe(false);
  });

  it('any rule matching is enough; no rule matches nothing', () => {
    const m = matchOperations(noop)
      .path('/a.A/One')
      .prefix('/b.B/')
      .regex(/Three$/)
      .match((op) => op === '/d.D/Four')
      .build();
    for (const op of ['/a.A/One', '/b.B/Two', '/c.C/Three', '/d.D/Four']) expect(applies(m, op)).toBe(true);
    expect(applies(m, '/e.E/Five')).toBe(false);
    expect(matchOperations(noop).build().appliesTo('/a.A/One')).toBe(false);
  });

  it('runs several middleware in order when it applies', async () => {
    const log: string[] = [];
    const m = matchOperations(tracer('x', log), tracer('y', log)).prefix('/').build();
    const h = applyMiddleware(echo, [m], '/a.A/B');
    await h(createContext({ operation: '/a.A/B' }) as Context, null);
    expect(log).toEqual(['x>', 'y>', '<y', '<x']);
  });
});
