import {
  createContext,
  createContextKey,
  createLogFilter,
  FILTERED,
  isLevelEnabled,
  type Logger,
  type LogLevel,
  valuer,
  withFields,
} from '@kratos/core';
import { type ChildLogger, isFlushable, LOG_LEVEL_RANK } from '@kratos/core/adapter';
import { runWithContext } from '@kratos/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoggedLine, LoggerFactory, LoggerFeatures, LoggerSubject } from './types.ts';

export { parseLogfmtLine } from './logfmt.ts';
export type { LoggedLine, LoggerFactory, LoggerFeatures, LoggerSetup, LoggerSubject } from './types.ts';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Defines a vitest suite checking that a core `Logger` behaves as Go Kratos' loggers do: every
 * level written as itself, key/values as fields (a repeated key keeps its last value, an odd
 * trailing key gets `KEYVALS UNPAIRED`, an Error its message), `withFields` and valuers computed
 * per line with the running call's context, its own level agreeing with `enabled()`, core's
 * `createLogFilter` over it, and every line there, in order, after `flush()`. `factory` runs
 * before every test.
 */
export function describeLoggerContract(
  name: string,
  factory: LoggerFactory,
  features: LoggerFeatures = {},
): void {
  const asText = features.stringValues ?? false;
  const levelOption = features.levelOption ?? true;
  /** A value as the backend keeps it. */
  const kept = (v: unknown): unknown => (asText ? String(v) : v);

  describe(`logger contract: ${name}`, () => {
    let subject: LoggerSubject | undefined;
    afterEach(async () => {
      const s = subject;
      subject = undefined;
      await s?.close?.();
    });

    const open = async (level: LogLevel = 'debug'): Promise<Logger> => {
      subject = await factory({ level });
      return subject.logger;
    };
    /** Flushes (when the logger can) and reads the backend's lines. */
    const read = async (): Promise<LoggedLine[]> => {
      if (!subject) throw new Error('logger contract: no subject open');
      if (isFlushable(subject.logger)) await subject.logger.flush();
      return await subject.lines();
    };
    /** The one line whose `msg` is `msg`. */
    const lineWith = (lines: LoggedLine[], msg: string): LoggedLine => {
      const found = lines.filter((l) => l.fields.msg === msg);
      expect(found, `lines with msg=${msg} in ${JSON.stringify(lines)}`).toHaveLength(1);
      return found[0] as LoggedLine;
    };

    it('writes a line at each level, as that level, with its key/values', async () => {
      const logger = await open();
      LEVELS.forEach((level, i) => {
        logger.log(level, 'msg', `at-${level}`, 'n', i);
      });
      const lines = await read();
      LEVELS.forEach((level, i) => {
        const line = lineWith(lines, `at-${level}`);
        expect(line.level).toBe(level);
        expect(line.fields.n).toEqual(kept(i));
      });
    });

    it('keeps strings (spaces, quotes, =, unicode), numbers and booleans', async () => {
      const logger = await open();
      const note = 'a "quoted" = héllo ✓';
      logger.log('info', 'msg', 'typed values', 'user', 'alice', 'note', note, 'port', 8000, 'ok', true);
      const line = lineWith(await read(), 'typed values');
      expect(line.fields).toMatchObject({ user: 'alice', note, port: kept(8000), ok: kept(true) });
    });

    it('a repeated key keeps its last value; an odd trailing key gets KEYVALS UNPAIRED', async () => {
      const logger = await open();
      logger.log('warn', 'msg', 'repeated', 'k', 'first', 'k', 'second');
      logger.log('error', 'msg', 'unpaired', 'orphan');
      const lines = await read();
      expect(lineWith(lines, 'repeated').fields.k).toBe('second');
      expect(lineWith(lines, 'unpaired').fields.orphan).toBe('KEYVALS UNPAIRED');
    });

    it('logs an Error as its message and survives a value that cannot be serialized', async () => {
      const logger = await open();
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      logger.log('error', 'msg', 'failed', 'error', new Error('boom'));
      expect(() => logger.log('info', 'msg', 'circular', 'value', circular)).not.toThrow();
      const lines = await read();
      expect(lineWith(lines, 'failed').fields.error).toBe('boom');
      expect(lineWith(lines, 'circular').fields).toHaveProperty('value');
    });

    it('withFields adds fixed fields to every line of the child only; nested children add up', async () => {
      const logger = await open();
      const child = withFields(logger, 'service', 'users');
      const grandchild = withFields(child, 'region', 'eu');
      grandchild.log('info', 'msg', 'from grandchild');
      child.log('info', 'msg', 'from child');
      logger.log('info', 'msg', 'from root');
      const lines = await read();
      expect(lineWith(lines, 'from grandchild').fields).toMatchObject({ service: 'users', region: 'eu' });
      expect(lineWith(lines, 'from child').fields).toMatchObject({ service: 'users' });
      expect(lineWith(lines, 'from child').fields).not.toHaveProperty('region');
      expect(lineWith(lines, 'from root').fields).not.toHaveProperty('service');
    });

    it('computes valuers per line, with the context of the running call (withFields and a native with())', async () => {
      const logger = await open();
      const requestId = createContextKey<string>('request-id');
      let seq = 0;
      const fields = ['seq', valuer(() => ++seq), 'request', valuer((ctx) => ctx?.get(requestId) ?? 'none')];
      const child = withFields(logger, ...fields);
      const native = logger as Partial<ChildLogger>;
      const nativeChild = typeof native.with === 'function' ? native.with(...fields) : undefined;
      child.log('info', 'msg', 'one');
      const ctx = createContext();
      ctx.set(requestId, 'r-42');
      runWithContext(ctx, () => child.log('info', 'msg', 'two'));
      nativeChild?.log('info', 'msg', 'native');
      const lines = await read();
      expect(lineWith(lines, 'one').fields).toMatchObject({ seq: kept(1), request: 'none' });
      expect(lineWith(lines, 'two').fields).toMatchObject({ seq: kept(2), request: 'r-42' });
      if (nativeChild)
        expect(lineWith(lines, 'native').fields).toMatchObject({ seq: kept(3), request: 'none' });
    });

    if (levelOption) {
      it('made with a level: drops the lines below it, and enabled() says so', async () => {
        const logger = await open('warn');
        for (const level of LEVELS) {
          expect(isLevelEnabled(logger, level), `enabled(${level})`).toBe(
            LOG_LEVEL_RANK[level] >= LOG_LEVEL_RANK.warn,
          );
          logger.log(level, 'msg', `at-${level}`);
        }
        const got = (await read()).filter((l) => String(l.fields.msg).startsWith('at-'));
        expect(got.map((l) => l.level)).toEqual(['warn', 'error', 'fatal']);
      });
    }

    it("core's createLogFilter over it: level threshold, masked keys and values", async () => {
      const logger = await open();
      const filtered = createLogFilter(logger, {
        level: 'warn',
        keys: ['password'],
        values: ['s3cret-token'],
      });
      expect(isLevelEnabled(filtered, 'info')).toBe(false);
      filtered.log('info', 'msg', 'below the filter');
      filtered.log('warn', 'msg', 'masked', 'user', 'alice', 'password', 'hunter2', 'token', 's3cret-token');
      const lines = await read();
      expect(lines.filter((l) => l.fields.msg === 'below the filter')).toEqual([]);
      expect(lineWith(lines, 'masked').fields).toMatchObject({
        user: 'alice',
        password: FILTERED,
        token: FILTERED,
      });
    });

    it('has every line, in the order logged, once flushed', async () => {
      const logger = await open();
      const count = 100;
      for (let i = 0; i < count; i++) logger.log('info', 'msg', 'ordered', 'seq', i);
      const seqs = (await read()).filter((l) => l.fields.msg === 'ordered').map((l) => l.fields.seq);
      expect(seqs).toEqual(Array.from({ length: count }, (_, i) => kept(i)));
    });
  });
}
