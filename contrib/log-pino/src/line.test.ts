import { Writable } from 'node:stream';
import { type LogLevel, valuer } from '@kratos/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinoLogger, type PinoLoggerOptions } from './index.ts';

/** A destination keeping each raw line as written. */
function rawSink() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

// The same calls through a logger that may take the fast path and one that cannot (an option
// outside the plain set that changes nothing: pino's messageKey is `msg` already).
function both(options: PinoLoggerOptions['options'] = {}) {
  const fast = rawSink();
  const slow = rawSink();
  return {
    fast: createPinoLogger({ options, destination: fast.stream }),
    slow: createPinoLogger({ options: { ...options, messageKey: 'msg' }, destination: slow.stream }),
    fastLines: fast.lines,
    slowLines: slow.lines,
  };
}

const cases: Array<[string, LogLevel, unknown[]]> = [
  [
    'the access line',
    'info',
    [
      'msg',
      'server request',
      'kind',
      'server',
      'component',
      'http',
      'operation',
      '/helloworld.v1.Greeter/SayHello',
      'args',
      '{"name":"kratos"}',
      'code',
      200,
      'reason',
      '',
      'latency',
      0.0000335,
    ],
  ],
  [
    'escapes',
    'warn',
    [
      'q',
      'say "hi"\\',
      'ctl',
      'a\u0000b\nc\td\u001f',
      'uni',
      'é 日本 😀 \u2028\u2029',
      'long',
      `"${'x\\'.repeat(80)}"\n`,
    ],
  ],
  [
    'numbers',
    'info',
    [
      'nan',
      Number.NaN,
      'inf',
      Number.POSITIVE_INFINITY,
      'ninf',
      -Infinity,
      'negzero',
      -0,
      'big',
      1e21,
      'small',
      5e-7,
      'neg',
      -42.5,
    ],
  ],
  ['booleans, null, undefined', 'debug', ['t', true, 'f', false, 'n', null, 'u', undefined, 'after', 'x']],
  [
    'integer-like and repeated keys',
    'info',
    ['b', 1, '10', 'ten', '2', 'two', 'b', 2, '__proto__', 'p', 'a', 'z'],
  ],
  ['an Error under a plain key, no message', 'error', ['error', new Error('boom'), 'code', 500]],
  ['an empty message and an unpaired key', 'info', ['msg', '', 'odd']],
  ['only a message', 'fatal', ['msg', 'dead']],
  ['nothing', 'info', []],
  ['a message that is not a string', 'info', ['msg', 42, 'k', 'v']],
  ['objects (pino encodes them)', 'info', ['obj', { a: 1, b: [1, 'x'] }, 'k', 'v']],
  ['an Error under err (pino serializes it)', 'error', ['err', new Error('kept'), 'msg', 'failed']],
  ['fields pino takes for an HTTP request', 'info', ['method', 'GET', 'headers', 'h', 'socket', 's']],
  ['a string under err', 'warn', ['err', 'just text', 'msg', 'm']],
  ['a bigint and a function', 'info', ['n', 10n, 'f', () => 1, 'k', 'v']],
];

describe('log-pino: the fast line equals pino’s line', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_795_000_000_123);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('%s', (_name, level, keyvals) => {
    const { fast, slow, fastLines, slowLines } = both({ level: 'debug' });
    fast.log(level, ...keyvals);
    slow.log(level, ...keyvals);
    expect(fastLines).toHaveLength(1);
    expect(fastLines).toEqual(slowLines);
    expect(() => JSON.parse(fastLines[0]!.replace(/\n$/, ''))).not.toThrow();
  });

  it('with name, base and children (static fields and valuers)', () => {
    let n = 0;
    const { fast, slow, fastLines, slowLines } = both({ name: 'svc', base: { region: 'sh' } });
    for (const l of [fast, slow]) {
      const child = l
        .with(
          'service',
          'helloworld',
          'seq',
          valuer(() => ++n),
        )
        .with('trace', 'abc');
      child.log('info', 'msg', 'a', 'k', 1);
      child.log(
        'warn',
        'k',
        valuer(() => 'computed'),
      );
      l.log('info', 'msg', 'root');
    }
    expect(fastLines).toHaveLength(3);
    expect(fastLines.map((l) => l.replace(/"seq":\d+/, ''))).toEqual(
      slowLines.map((l) => l.replace(/"seq":\d+/, '')),
    );
    expect(JSON.parse(fastLines[0]!)).toMatchObject({
      name: 'svc',
      region: 'sh',
      service: 'helloworld',
      seq: 1,
      trace: 'abc',
      msg: 'a',
    });
  });

  it('with base null: no pid or hostname', () => {
    const { fast, slow, fastLines, slowLines } = both({ base: null });
    fast.log('info', 'msg', 'm', 'k', 'v');
    slow.log('info', 'msg', 'm', 'k', 'v');
    expect(fastLines).toEqual(['{"level":30,"time":1795000000123,"k":"v","msg":"m"}\n']);
    expect(fastLines).toEqual(slowLines);
  });
});

describe('log-pino: where the fast line is not taken', () => {
  it('routes by level through pino.multistream (which reads the level of each line from the logger)', () => {
    const info: string[] = [];
    const errors: string[] = [];
    const sink = (into: string[]) =>
      new Writable({
        write(chunk, _enc, cb) {
          into.push(String(chunk));
          cb();
        },
      });
    const logger = createPinoLogger({
      destination: pino.multistream([
        { level: 'info', stream: sink(info) },
        { level: 'error', stream: sink(errors) },
      ]),
    });
    logger.log('info', 'msg', 'fine');
    logger.log('error', 'msg', 'bad');
    logger.log('info', 'msg', 'fine again');
    expect(info.map((l) => JSON.parse(l).msg)).toEqual(['fine', 'bad', 'fine again']);
    expect(errors.map((l) => JSON.parse(l).msg)).toEqual(['bad']);
  });

  it('honours pino options that change a line (formatters, mixin, redact)', () => {
    const { stream, lines } = rawSink();
    const logger = createPinoLogger({
      destination: stream,
      options: {
        formatters: { level: (label) => ({ severity: label.toUpperCase() }) },
        mixin: () => ({ mixed: true }),
        redact: ['secret'],
      },
    });
    logger.log('warn', 'msg', 'm', 'secret', 'hunter2', 'k', 'v');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      severity: 'WARN',
      mixed: true,
      secret: '[Redacted]',
      k: 'v',
      msg: 'm',
    });
  });

  it('keeps a lone surrogate recoverable (escaped, where pino writes it raw), in children too', () => {
    const { stream, lines } = rawSink();
    const logger = createPinoLogger({ destination: stream });
    logger.log('info', 'k', 'a\ud800b');
    logger.with('service', 'svc').log('info', 'k', 'a\ud800b');
    expect(lines[0]).toContain('"k":"a\\ud800b"');
    expect(JSON.parse(lines[0]!).k).toBe('a\ud800b');
    expect(lines[1]).toContain('"service":"svc","k":"a\\ud800b"');
  });
});
