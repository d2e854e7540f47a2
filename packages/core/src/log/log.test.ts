import { describe, expect, it } from 'vitest';
import { isFlushable, isValuer, LOG_LEVEL_RANK } from '../adapter.ts';
import {
  asyncContext,
  caller,
  createContext,
  createLogFilter,
  createLogHelper,
  createStdLogger,
  defaultLogger,
  FILTERED,
  isLevelEnabled,
  type Logger,
  type LogLevel,
  parseLogLevel,
  timestamp,
  valuer,
  withFields,
} from '../index.ts';
import { applyMiddleware } from '../transport.ts';

/** A std logger writing into an array. */
function capture() {
  const lines: string[] = [];
  return { lines, logger: createStdLogger({ write: (l: string) => lines.push(l) }) };
}

/** A Logger that records calls as they arrive. */
function recorder() {
  const calls: Array<[LogLevel, unknown[]]> = [];
  const logger: Logger & { flushed: number; flush(): Promise<void> } = {
    flushed: 0,
    log: (level, ...kv) => calls.push([level, kv]),
    async flush() {
      this.flushed++;
    },
  };
  return { calls, logger };
}

describe('std logger', () => {
  it('writes one logfmt line per call: LEVEL key=value ...', () => {
    const { lines, logger } = capture();
    logger.log('info', 'msg', 'hello', 'n', 7, 'ok', true);
    logger.log('warn', 'msg', '[HTTP] server listening on: 0.0.0.0:8000');
    logger.log('error', 'err', new Error('boom'), 'obj', { a: 1 }, 'empty', '', 'u', undefined);
    logger.log('debug', 'odd');
    expect(lines).toEqual([
      'INFO msg=hello n=7 ok=true\n',
      'WARN msg="[HTTP] server listening on: 0.0.0.0:8000"\n',
      'ERROR err=boom obj="{\\"a\\":1}" empty="" u=""\n',
      'DEBUG odd="KEYVALS UNPAIRED"\n',
    ]);
  });

  it('quotes values that would break the line apart', () => {
    const { lines, logger } = capture();
    logger.log('info', 'msg', 'two\nlines', 'eq', 'a=b', 'q', 'say "hi"');
    expect(lines).toEqual(['INFO msg="two\\nlines" eq="a=b" q="say \\"hi\\""\n']);
  });

  it('writes nothing for a call without key/values, as Go', () => {
    const { lines, logger } = capture();
    logger.log('info');
    expect(lines).toEqual([]);
  });

  it('with ts and caller reads like Go Kratos: INFO ts=... caller=file:line msg=...', () => {
    const { lines, logger } = capture();
    const log = createLogHelper(withFields(logger, 'ts', timestamp(), 'caller', caller()));
    log.info('hello world');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^INFO ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z caller=log\.test\.ts:\d+ msg="hello world"\n$/,
    );
  });

  it('defaultLogger is one shared, usable logger', () => {
    expect(defaultLogger()).toBe(defaultLogger());
    expect(typeof defaultLogger().log).toBe('function');
  });
});

describe('withFields and valuers', () => {
  it('isValuer tells valuers from plain functions and values', () => {
    expect(isValuer(valuer(() => 1))).toBe(true);
    expect(isValuer(timestamp())).toBe(true);
    expect(isValuer(caller())).toBe(true);
    expect(isValuer(() => 1)).toBe(false);
    expect(isValuer('x')).toBe(false);
    expect(isValuer(undefined)).toBe(false);
  });

  it('prepends fields, flattening nested withFields', () => {
    const { calls, logger } = recorder();
    const l = withFields(withFields(logger, 'service', 'svc'), 'version', 'v1');
    l.log('info', 'msg', 'x');
    expect(calls).toEqual([['info', ['service', 'svc', 'version', 'v1', 'msg', 'x']]]);
    expect(withFields(logger)).toBe(logger);
  });

  it('computes valuers per line and hands them the current call context', async () => {
    const { calls, logger } = recorder();
    let n = 0;
    const l = withFields(
      logger,
      'seq',
      valuer(() => ++n),
      'op',
      valuer((ctx) => ctx?.operation ?? '-'),
      'fn',
      () => 'plain functions are values',
    );
    l.log('info', 'msg', 'a');
    const h = applyMiddleware(async () => l.log('info', 'msg', 'b'), [asyncContext()]);
    await h(createContext({ operation: '/a.A/B' }), null);
    expect(calls[0]![1].slice(0, 4)).toEqual(['seq', 1, 'op', '-']);
    expect(calls[1]![1].slice(0, 4)).toEqual(['seq', 2, 'op', '/a.A/B']);
    expect(typeof calls[0]![1][5]).toBe('function');
  });

  it('asks a logger with a native with() for a child, unless valuers are involved', () => {
    const children: unknown[][] = [];
    const { calls, logger: inner } = recorder();
    const native = {
      log: inner.log,
      with: (...kv: unknown[]) => {
        children.push(kv);
        return inner;
      },
    };
    expect(withFields(native, 'a', 1)).toBe(inner);
    expect(children).toEqual([['a', 1]]);
    withFields(native, 'ts', timestamp()).log('info', 'msg', 'x');
    expect(children).toHaveLength(1);
    expect(calls[0]![1][0]).toBe('ts');
  });

  it('timestamp takes a format; caller can skip wrapper frames', () => {
    const { calls, logger } = recorder();
    withFields(
      logger,
      'ts',
      timestamp(() => 'T'),
    ).log('info');
    expect(calls[0]![1]).toEqual(['ts', 'T']);

    const at = caller();
    const wrapped = caller(1);
    const direct = (v: typeof at) => v(undefined);
    const viaWrapper = (v: typeof at) => direct(v);
    expect(direct(at)).toMatch(/^log\.test\.ts:\d+$/);
    // Skipping one frame lands on the line that called the wrapper.
    const line = viaWrapper(wrapped);
    expect(line).toMatch(/^log\.test\.ts:\d+$/);
    expect(line).not.toBe(direct(at));
    expect(caller(0, /log\.test\.ts/)(undefined)).not.toMatch(/log\.test\.ts/);
  });

  it('passes flush through', async () => {
    const { logger } = recorder();
    const l = withFields(logger, 'ts', timestamp());
    expect(isFlushable(l)).toBe(true);
    if (isFlushable(l)) await l.flush();
    expect(logger.flushed).toBe(1);
  });
});

describe('createLogFilter', () => {
  it('drops lines below the level', () => {
    const { calls, logger } = recorder();
    const f = createLogFilter(logger, { level: 'warn' });
    for (const level of ['debug', 'info', 'warn', 'error', 'fatal'] as const) f.log(level, 'msg', level);
    expect(calls.map(([l]) => l)).toEqual(['warn', 'error', 'fatal']);
  });

  it('says which levels it drops (enabled), and asks the logger under it too', () => {
    const { logger } = recorder();
    const f = createLogFilter(logger, { level: 'warn' });
    expect(['debug', 'info', 'warn', 'error'].map((l) => isLevelEnabled(f, l as LogLevel))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    const errorsOnly = { log() {}, enabled: (l: LogLevel) => l === 'error' || l === 'fatal' };
    const both = createLogFilter(errorsOnly, { level: 'info' });
    expect([isLevelEnabled(both, 'info'), isLevelEnabled(both, 'error')]).toEqual([false, true]);
    // withFields passes the question through; a logger without enabled writes every level.
    expect(isLevelEnabled(withFields(both, 'k', 'v'), 'warn')).toBe(false);
    expect(
      isLevelEnabled(
        withFields(
          both,
          'k',
          valuer(() => 1),
        ),
        'error',
      ),
    ).toBe(true);
    expect(isLevelEnabled(logger, 'debug')).toBe(true);
  });

  it('drops nothing by default', () => {
    const { calls, logger } = recorder();
    createLogFilter(logger).log('debug', 'msg', 'x');
    expect(calls).toHaveLength(1);
  });

  it('masks the values of chosen keys and chosen values wherever they appear', () => {
    const { calls, logger } = recorder();
    const f = createLogFilter(logger, { keys: ['password'], values: ['s3cret-token'] });
    f.log('info', 'user', 'ann', 'password', 'hunter2', 'header', 's3cret-token', 'other', 'fine');
    expect(calls[0]![1]).toEqual(['user', 'ann', 'password', FILTERED, 'header', '***', 'other', 'fine']);
  });

  it('masks fields added with withFields on top of it, and obeys a drop predicate', () => {
    const { calls, logger } = recorder();
    const f = createLogFilter(logger, {
      keys: ['token'],
      drop: (_level, kv) => kv.includes('/healthz'),
    });
    const l = withFields(f, 'token', 'abc');
    l.log('info', 'path', '/healthz');
    l.log('info', 'path', '/users');
    expect(calls).toEqual([['info', ['token', '***', 'path', '/users']]]);
  });

  it('passes flush through', async () => {
    const { logger } = recorder();
    const f = createLogFilter(logger);
    expect(isFlushable(f)).toBe(true);
    if (isFlushable(f)) await f.flush();
    expect(logger.flushed).toBe(1);
  });
});

describe('createLogHelper', () => {
  it('plain, f and w variants at every level', () => {
    const { calls, logger } = recorder();
    let fatals = 0;
    const h = createLogHelper(logger, { onFatal: () => fatals++ });
    h.debug('d');
    h.infof('user %s has %d items', 'ann', 3);
    h.warnw('key', 'value', 'n', 1);
    h.error('multiple', 'args', 2);
    h.errorf('%o', { a: 1 });
    h.fatal('bye');
    h.fatalw('k', 'v');
    h.fatalf('%s', 'x');
    h.log('info', 'raw', true);
    expect(calls).toEqual([
      ['debug', ['msg', 'd']],
      ['info', ['msg', 'user ann has 3 items']],
      ['warn', ['key', 'value', 'n', 1]],
      ['error', ['msg', 'multiple args 2']],
      ['error', ['msg', '{ a: 1 }']],
      ['fatal', ['msg', 'bye']],
      ['fatal', ['k', 'v']],
      ['fatal', ['msg', 'x']],
      ['info', ['raw', true]],
    ]);
    expect(fatals).toBe(3);
    expect(h.logger).toBe(logger);
  });

  it('has every method for every level and a configurable message key', () => {
    const { calls, logger } = recorder();
    const h = createLogHelper(logger, { messageKey: 'message' });
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      h[level]('a');
      h[`${level}f`]('%s', 'b');
      h[`${level}w`]('c', 'd');
    }
    expect(calls).toHaveLength(12);
    expect(calls[0]).toEqual(['debug', ['message', 'a']]);
  });
});

describe('levels', () => {
  it('parseLogLevel accepts any case and refuses the rest clearly', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('Warn')).toBe('warn');
    expect(() => parseLogLevel('verbose')).toThrow(/invalid log level "verbose"/);
    expect(() => parseLogLevel('toString')).toThrow(/invalid log level/);
  });

  it('ranks levels lowest first', () => {
    expect(
      Object.entries(LOG_LEVEL_RANK)
        .sort((a, b) => a[1] - b[1])
        .map(([l]) => l),
    ).toEqual(['debug', 'info', 'warn', 'error', 'fatal']);
  });
});
