import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  createContext,
  createContextKey,
  createLogHelper,
  isLevelEnabled,
  valuer,
  withFields,
} from '@kratos/core';
import { runWithContext } from '@kratos/core/transport';
import { waitFor } from '@kratos/testkit';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createPinoLogger } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'log-pino-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `testdata/<script> <file>` in a child Node process and resolves when it exits cleanly. */
function runChild(script: string, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=kratos-source', join(here, 'testdata', script), file],
      { cwd: join(here, '..'), timeout: 30_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()),
    );
  });
}

/** A writable that keeps every JSON line. */
function memorySink() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { stream, lines };
}

describe('createPinoLogger', () => {
  it('maps levels, turns key/values into fields and msg into the message', () => {
    const { stream, lines } = memorySink();
    const logger = createPinoLogger({ options: { level: 'debug' }, destination: stream });
    logger.log('debug', 'msg', 'd');
    logger.log('info', 'msg', 'hello', 'user', 'alice', 'n', 7);
    logger.log('warn', 'k', 'v');
    logger.log('error', 'msg', 'failed', 'error', new Error('boom'));
    logger.log('fatal', 'msg', 'dead', 'odd');
    expect(lines.map((l) => l.level)).toEqual([20, 30, 40, 50, 60]);
    expect(lines[1]).toMatchObject({ msg: 'hello', user: 'alice', n: 7 });
    expect(lines[2]!.msg).toBeUndefined();
    expect(lines[3]).toMatchObject({ msg: 'failed', error: 'boom' });
    expect(lines[4]).toMatchObject({ msg: 'dead', odd: 'KEYVALS UNPAIRED' });
  });

  it('drops lines under the pino level and honours a custom message key', () => {
    const { stream, lines } = memorySink();
    const logger = createPinoLogger({ destination: stream, messageKey: 'message' });
    logger.log('debug', 'message', 'hidden');
    logger.log('info', 'message', 'shown', 'msg', 'a field now');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'shown' });
  });

  it('with() makes a pino child; valuers are computed per line with the current context', () => {
    const { stream, lines } = memorySink();
    const requestId = createContextKey<string>('request-id');
    let n = 0;
    const base = createPinoLogger({ destination: stream });
    const logger = base.with(
      'service',
      'users',
      'seq',
      valuer(() => ++n),
      'request',
      valuer((ctx) => ctx?.get(requestId) ?? ''),
    );
    logger.log('info', 'msg', 'one');
    const ctx = createContext();
    ctx.set(requestId, 'r-42');
    runWithContext(ctx, () => logger.with('extra', true).log('info', 'msg', 'two'));
    logger.log(
      'info',
      'msg',
      'three',
      'inline',
      valuer(() => 'computed'),
    );
    expect(lines).toEqual([
      expect.objectContaining({ service: 'users', seq: 1, request: '', msg: 'one' }),
      expect.objectContaining({ service: 'users', seq: 2, request: 'r-42', extra: true, msg: 'two' }),
      expect.objectContaining({ service: 'users', seq: 3, msg: 'three', inline: 'computed' }),
    ]);
    // core's withFields goes through the native child (no valuers) or computes them (valuers).
    withFields(base, 'a', 1).log('info', 'msg', 'x');
    withFields(
      base,
      'b',
      valuer(() => 2),
    ).log('info', 'msg', 'y');
    expect(lines.slice(3)).toEqual([
      expect.objectContaining({ a: 1, msg: 'x' }),
      expect.objectContaining({ b: 2, msg: 'y' }),
    ]);
  });

  it('uses an injected pino logger as it is', () => {
    const { stream, lines } = memorySink();
    const injected = pino({ level: 'warn', base: { app: 'injected' } }, stream);
    const logger = createPinoLogger({ pino: injected });
    expect(logger.pino).toBe(injected);
    createLogHelper(logger).info('ignored');
    createLogHelper(logger).warn('kept');
    expect(lines).toEqual([expect.objectContaining({ app: 'injected', msg: 'kept', level: 40 })]);
  });

  it('says which levels pino drops (enabled), children and level changes included', () => {
    const { stream } = memorySink();
    const logger = createPinoLogger({ options: { level: 'warn' }, destination: stream });
    const child = logger.with('k', 'v');
    expect([isLevelEnabled(logger, 'info'), isLevelEnabled(logger, 'warn')]).toEqual([false, true]);
    expect(isLevelEnabled(child, 'info')).toBe(false);
    logger.pino.level = 'debug';
    expect(isLevelEnabled(logger, 'debug')).toBe(true);
  });

  it('writes through a pino transport (worker thread) and flush() waits for it', async () => {
    const file = join(tmp, 'transport.log');
    const logger = createPinoLogger({
      options: { transport: { target: 'pino/file', options: { destination: file, mkdir: true } } },
    });
    for (let i = 0; i < 50; i++) logger.log('info', 'msg', 'via transport', 'i', i);
    await logger.flush();
    const read = () => {
      try {
        return readFileSync(file, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    await waitFor(() => read().length === 50, { timeout: 10_000 });
    expect(JSON.parse(read()[49]!)).toMatchObject({ msg: 'via transport', i: 49 });
  });

  it("routes lines by level to transport targets (the worker reads each line's level)", async () => {
    const infoFile = join(tmp, 'targets-info.log');
    const errorFile = join(tmp, 'targets-error.log');
    const logger = createPinoLogger({
      options: {
        transport: {
          targets: [
            { level: 'info', target: 'pino/file', options: { destination: infoFile, mkdir: true } },
            { level: 'error', target: 'pino/file', options: { destination: errorFile, mkdir: true } },
          ],
        },
      },
    });
    logger.log('info', 'msg', 'fine', 'k', 1);
    logger.log('error', 'msg', 'bad', 'k', 2);
    logger.log('warn', 'msg', 'careful', 'k', 3);
    await logger.flush();
    const msgs = (file: string) => {
      try {
        return readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).msg as string);
      } catch {
        return [];
      }
    };
    await waitFor(() => msgs(infoFile).length === 3 && msgs(errorFile).length === 1, { timeout: 10_000 });
    expect(msgs(infoFile)).toEqual(['fine', 'bad', 'careful']);
    expect(msgs(errorFile)).toEqual(['bad']);
  });

  it('a slow sink does not block the caller; every line arrives once it drains', async () => {
    let received = 0;
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      // A sink that takes its time with every batch of writes.
      writev(chunks, cb) {
        writes++;
        for (const { chunk } of chunks) received += String(chunk).split('\n').length - 1;
        setTimeout(cb, 5);
      },
    });
    const logger = createPinoLogger({ destination: slow });
    const total = 10_000;
    for (let i = 0; i < total; i++) logger.log('info', 'msg', 'line', 'i', i);
    // The loop above returned without waiting for the sink: it has taken at most one write.
    expect(writes).toBeLessThanOrEqual(1);
    expect(received).toBeLessThan(total);
    await logger.flush();
    expect(received).toBe(total);
  });

  it('a file path destination writes in 4 KiB batches; flush() writes the rest, minLength 0 each line', async () => {
    const batched = join(tmp, 'batched.log');
    const logger = createPinoLogger({ destination: batched });
    const log = createLogHelper(logger);
    // A batch is written by the log call that fills it, synchronously: the file stays empty until
    // the line that brings the batch to 4 KiB, and that call writes every line so far.
    let lines = 0;
    while (statSync(batched).size === 0 && lines < 1000) log.infow('msg', 'line', 'i', lines++);
    expect(lines).toBeGreaterThan(30);
    expect(statSync(batched).size).toBeGreaterThanOrEqual(4096);
    expect(readFileSync(batched, 'utf8').trim().split('\n')).toHaveLength(lines);
    for (let i = 0; i < 3; i++) log.infow('msg', 'line', 'i', lines++);
    await logger.flush();
    expect(readFileSync(batched, 'utf8').trim().split('\n')).toHaveLength(lines);

    const eager = join(tmp, 'eager.log');
    const eagerLog = createLogHelper(createPinoLogger({ destination: eager, minLength: 0 }));
    eagerLog.infow('msg', 'at once');
    expect(readFileSync(eager, 'utf8')).toContain('at once');
  });

  it('a file path destination has a full batch in the file when the log call that filled it returns', () => {
    // No batch is left in flight, so an exit flush can never write later lines ahead of it.
    const file = join(tmp, 'sync-batches.log');
    const log = createLogHelper(createPinoLogger({ destination: file }));
    for (let i = 0; i < 200; i++) log.infow('msg', 'a line of some length to fill batches', 'i', i);
    const written = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(written)).toBeGreaterThanOrEqual(4096);
    const seen = written
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).i);
    expect(seen).toEqual(seen.map((_: unknown, i: number) => i));
  });

  it('a file path destination keeps multi-byte lines whole and is written out at process.exit (child process)', async () => {
    const file = join(tmp, 'exit-unflushed.log');
    await runChild('exit-unflushed.ts', file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(500);
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      lines.map((_, i) => expect.objectContaining({ msg: 'größe ✓ 日本語 🚀', i })),
    );
  });

  it('the last line before exit is in the file when the App stops (child process)', async () => {
    const file = join(tmp, 'app-exit.log');
    await runChild('app-exit.ts', file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(101);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: 'the last line' });
  });
});
