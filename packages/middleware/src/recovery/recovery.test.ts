import { createContext, type Handler, KratosError, type Logger, notFound } from '@kratos/core';
import { applyMiddleware } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';
import { recovery } from '../index.ts';

function memoryLogger() {
  const lines: unknown[][] = [];
  const logger: Logger = { log: (level, ...kv) => lines.push([level, ...kv]) };
  return { logger, lines };
}

const ctx = () => createContext({ kind: 'http', operation: '/test.v1.Svc/Boom' });

describe('recovery', () => {
  it('turns a thrown exception into 500 with an empty reason and no stack', async () => {
    const { logger, lines } = memoryLogger();
    const h = applyMiddleware(async () => {
      throw new TypeError('cannot read properties of undefined (secret internals)');
    }, [recovery({ logger })]);
    const err = (await h(ctx(), {}).catch((e: unknown) => e)) as KratosError;
    expect(KratosError.is(err)).toBe(true);
    expect(err.code).toBe(500);
    expect(err.reason).toBe('');
    expect(JSON.stringify(err)).not.toContain('secret internals');
    expect(JSON.stringify(err)).not.toContain('at ');
    expect(err.cause).toBeInstanceOf(TypeError);
    const line = lines[0]!;
    expect(line[0]).toBe('error');
    expect(line).toContain('/test.v1.Svc/Boom');
    expect(String(line[line.indexOf('stack') + 1])).toContain('TypeError');
  });

  it('turns a rejected promise of a non-Error into 500', async () => {
    const { logger } = memoryLogger();
    const h = applyMiddleware(() => Promise.reject('plain string'), [recovery({ logger })]);
    await expect(h(ctx(), {})).rejects.toMatchObject({ code: 500, reason: '' });
  });

  it('lets KratosErrors through untouched and does not log them', async () => {
    const { logger, lines } = memoryLogger();
    const original = notFound('USER_NOT_FOUND', 'user 7 not found');
    const h = applyMiddleware(async () => {
      throw original;
    }, [recovery({ logger })]);
    await expect(h(ctx(), {})).rejects.toBe(original);
    expect(lines).toHaveLength(0);
  });

  it('passes replies through and accepts a custom handler', async () => {
    const ok = applyMiddleware(async () => 'reply', [recovery()]);
    expect(await ok(ctx(), {})).toBe('reply');
    const { logger } = memoryLogger();
    const custom = applyMiddleware(async () => {
      throw new Error('x');
    }, [recovery({ logger, handler: () => new KratosError(503, 'BUSY', 'try later') })]);
    await expect(custom(ctx(), {})).rejects.toMatchObject({ code: 503, reason: 'BUSY' });
  });
  it('covers handlers that throw synchronously or return a plain value', async () => {
    const { logger, lines } = memoryLogger();
    const throwing = applyMiddleware(
      (() => {
        throw new Error('sync boom');
      }) as unknown as Handler,
      [recovery({ logger })],
    );
    await expect(throwing(ctx(), {})).rejects.toMatchObject({ code: 500, reason: '' });
    expect(lines).toHaveLength(1);
    const plain = applyMiddleware((() => 'not a promise') as unknown as Handler, [recovery({ logger })]);
    await expect(plain(ctx(), {})).resolves.toBe('not a promise');
  });
});
