import { createContext, type Logger, matchOperations, notFound } from '@kratos/core';
import { applyMiddleware, type TransportKind } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';
import { clientLogging, createRedactor, serverLogging } from '../index.ts';

function memoryLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown> }> = [];
  const logger: Logger = {
    log(level, ...kv) {
      const fields: Record<string, unknown> = {};
      for (let i = 0; i < kv.length; i += 2) fields[String(kv[i])] = kv[i + 1];
      lines.push({ level, fields });
    },
  };
  return { logger, lines };
}

const ctx = (
  kind: TransportKind = 'http',
  side: 'server' | 'client' = 'server',
  operation = '/user.v1.User/Login',
) => createContext({ kind, side, operation });

describe('serverLogging', () => {
  it('logs one info line per call with Go Kratos keys', async () => {
    const { logger, lines } = memoryLogger();
    const h = applyMiddleware(async () => ({ ok: true }), [serverLogging({ logger })]);
    expect(await h(ctx('grpc'), { name: 'alice' })).toEqual({ ok: true });
    expect(lines).toHaveLength(1);
    const { level, fields } = lines[0]!;
    expect(level).toBe('info');
    expect(Object.keys(fields)).toEqual([
      'msg',
      'kind',
      'component',
      'operation',
      'args',
      'code',
      'reason',
      'latency',
    ]);
    expect(fields).toMatchObject({
      msg: 'server request',
      kind: 'server',
      component: 'grpc',
      operation: '/user.v1.User/Login',
      args: '{"name":"alice"}',
      code: 200,
      reason: '',
    });
    expect(typeof fields.latency).toBe('number');
    expect(fields.latency as number).toBeGreaterThanOrEqual(0);
    expect(fields.latency as number).toBeLessThan(60);
  });

  it('logs failures at error with code, reason, error and stack, and rethrows the same error', async () => {
    const { logger, lines } = memoryLogger();
    const original = notFound('USER_NOT_FOUND', 'user 7 not found');
    const h = applyMiddleware(async () => {
      throw original;
    }, [serverLogging({ logger })]);
    await expect(h(ctx(), { id: 7 })).rejects.toBe(original);
    const { level, fields } = lines[0]!;
    expect(level).toBe('error');
    expect(fields).toMatchObject({ code: 404, reason: 'USER_NOT_FOUND', error: 'user 7 not found' });
    expect(String(fields.stack)).toContain('KratosError: user 7 not found');
  });

  it('maps unknown errors to 500 with an empty reason, a synchronous throw included', async () => {
    const { logger, lines } = memoryLogger();
    const h = applyMiddleware(
      (() => {
        throw new TypeError('boom');
      }) as never,
      [serverLogging({ logger })],
    );
    await expect(h(ctx(), {})).rejects.toThrow('boom');
    expect(lines[0]!.fields).toMatchObject({ code: 500, reason: '', error: 'boom' });
    expect(String(lines[0]!.fields.stack)).toContain('TypeError: boom');
  });

  it('masks sensitive fields in args by default and can leave args out', async () => {
    const { logger, lines } = memoryLogger();
    const req = {
      $typeName: 'user.v1.LoginRequest',
      username: 'alice',
      password: 'hunter2',
      accessToken: 'abc',
      nested: { clientSecret: 's3cr3t', n: 5n, raw: new Uint8Array(3) },
    };
    await applyMiddleware(async () => 'ok', [serverLogging({ logger })])(ctx(), req);
    const args = String(lines[0]!.fields.args);
    expect(args).not.toContain('hunter2');
    expect(args).not.toContain('abc');
    expect(args).not.toContain('s3cr3t');
    expect(args).not.toContain('$typeName');
    expect(args).toBe(
      '{"username":"alice","password":"***","accessToken":"***","nested":{"clientSecret":"***","n":"5","raw":"<3 bytes>"}}',
    );
    await applyMiddleware(async () => 'ok', [serverLogging({ logger, redact: false })])(ctx(), req);
    expect(lines[1]!.fields.args).toBe('');
  });

  it('logs server and client lines for both transports; can apply to chosen operations only', async () => {
    const { logger, lines } = memoryLogger();
    const only = matchOperations(serverLogging({ logger })).prefix('/user.v1.').build();
    const h = applyMiddleware(async () => 'ok', [only]);
    await h(ctx('http', 'server', '/user.v1.User/Get'), {});
    await h(ctx('http', 'server', '/health.v1.Health/Check'), {});
    await applyMiddleware(async () => 'ok', [clientLogging({ logger })])(ctx('grpc', 'client'), {});
    expect(lines.map((l) => [l.fields.msg, l.fields.kind, l.fields.component, l.fields.operation])).toEqual([
      ['server request', 'server', 'http', '/user.v1.User/Get'],
      ['client request', 'client', 'grpc', '/user.v1.User/Login'],
    ]);
  });
});

describe('serverLogging sample', () => {
  it('logs every failure and an evenly spaced share of successes', async () => {
    const { logger, lines } = memoryLogger();
    let calls = 0;
    const h = applyMiddleware(async () => {
      calls++;
      if (calls % 10 === 0) throw notFound('GONE', `call ${calls}`);
      return 'ok';
    }, [serverLogging({ logger, sample: 0.25 })]);
    for (let i = 0; i < 100; i++) await h(ctx(), {}).catch(() => undefined);
    const errors = lines.filter((l) => l.level === 'error');
    const ok = lines.filter((l) => l.level === 'info');
    expect(errors).toHaveLength(10);
    expect(ok).toHaveLength(22); // 90 successes x 0.25, rounded down
  });

  it('0 logs failures only, 1 logs everything; anything else is refused', async () => {
    const { logger, lines } = memoryLogger();
    const quiet = applyMiddleware(async () => 'ok', [serverLogging({ logger, sample: 0 })]);
    for (let i = 0; i < 5; i++) await quiet(ctx(), {});
    expect(lines).toHaveLength(0);
    const all = applyMiddleware(async () => 'ok', [serverLogging({ logger, sample: 1 })]);
    for (let i = 0; i < 5; i++) await all(ctx(), {});
    expect(lines).toHaveLength(5);
    for (const bad of [-0.1, 1.5, Number.NaN, '0.5' as unknown as number]) {
      expect(() => serverLogging({ logger, sample: bad })).toThrow(/sample must be a number from 0 to 1/);
    }
  });
});

describe('serverLogging and the logger level', () => {
  it('renders nothing for lines the logger drops (enabled), and still logs failures it keeps', async () => {
    const { logger, lines } = memoryLogger();
    let level: 'info' | 'error' = 'error';
    const leveled: Logger = {
      log: logger.log,
      enabled: (l) => l === 'error' || (level === 'info' && l === 'info'),
    };
    let rendered = 0;
    const redact = (req: unknown) => {
      rendered++;
      return JSON.stringify(req);
    };
    let fail = false;
    const h = applyMiddleware(async () => {
      if (fail) throw notFound('GONE', 'gone');
      return 'ok';
    }, [serverLogging({ logger: leveled, redact })]);
    for (let i = 0; i < 5; i++) await h(ctx(), { i });
    expect([rendered, lines.length]).toEqual([0, 0]);
    fail = true;
    await h(ctx(), { i: 'failed' }).catch(() => undefined);
    expect(lines.map((l) => [l.level, l.fields.args])).toEqual([['error', '{"i":"failed"}']]);
    // The level is asked per call: raising it back to info logs successes again.
    fail = false;
    level = 'info';
    await h(ctx(), { i: 'ok' });
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    expect(rendered).toBe(2);
  });
});

describe('createRedactor', () => {
  it('cuts long requests, survives cycles, streams and hostile objects', () => {
    const redact = createRedactor({ maxLength: 40 });
    expect(redact({ text: 'x'.repeat(10_000) })).toMatch(/^\{"text":"x+\.\.\.$/);
    expect(redact({ text: 'x'.repeat(10_000) }).length).toBe(43);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toBe('{"a":1,"self":"<cycle>"}');
    expect(redact({ s: (async function* () {})() })).toBe('{"s":"<stream>"}');
    const hostile = {
      get boom() {
        throw new Error('getter');
      },
    };
    expect(redact(hostile)).toBe('<unprintable>');
    expect(redact({ redact: () => 'custom' })).toBe('custom');
    const reentrant = {
      get inner() {
        return redact({ deep: 1 });
      },
    };
    expect(redact(reentrant)).toBe('{"inner":"{\\"deep\\":1}"}');
    expect(redact({ after: true })).toBe('{"after":true}');
    expect(redact(undefined)).toBe('null');
    expect(createRedactor({ keys: ['ssn'] })({ ssn: '1', password: 'p' })).toBe(
      '{"ssn":"***","password":"p"}',
    );
    expect(createRedactor({ maxDepth: 1 })({ a: { b: 1 }, c: [1] })).toBe('{"a":{...},"c":[...]}');
  });
});
