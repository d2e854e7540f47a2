import { FluentServer } from '@fluent-org/logger';
import { createApp, withFields } from '@kratos/core';
import { freePort, recordLogs, waitFor } from '@kratos/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createFluentLogger, type FluentLogger, parseFluentAddress } from './index.ts';

interface Entry {
  tag: string;
  record: Record<string, unknown>;
}

/** A real forward-protocol receiver (the client library's own server, acks included) on a fixed port. */
async function receiver(port = 0) {
  const entries: Entry[] = [];
  const server = new FluentServer({ listenOptions: { host: '127.0.0.1', port } });
  server.on('entry', (tag: string, _time: unknown, record: Record<string, unknown>) =>
    entries.push({ tag, record }),
  );
  await server.listen();
  return { server, entries, port: server.port as number };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

function logger(port: number, options: Parameters<typeof createFluentLogger>[0] = {}): FluentLogger {
  const l = createFluentLogger({ address: `tcp://127.0.0.1:${port}`, ...options });
  cleanups.push(() => l.close());
  return l;
}

describe('createFluentLogger', () => {
  it('sends each line tagged <prefix>.<LEVEL> with every field as a string, as Go Kratos does', async () => {
    const r = await receiver();
    cleanups.push(() => r.server.close());
    const log = logger(r.port, { tagPrefix: 'helloworld' });
    const err = new Error('boom');
    log.log('info', 'msg', 'started', 'port', 8000, 'ok', true, 'nothing', null, 'err', err, 'obj', { a: 1 });
    log.log('error', 'msg', 'failed', 'odd');
    log.log('debug', 'k', 'first', 'k', 'second');
    await log.flush();
    expect(r.entries).toEqual([
      {
        tag: 'helloworld.INFO',
        record: {
          msg: 'started',
          port: '8000',
          ok: 'true',
          nothing: '<nil>',
          err: 'boom',
          obj: '{"a":1}',
        },
      },
      { tag: 'helloworld.ERROR', record: { msg: 'failed', odd: 'KEYVALS UNPAIRED' } },
      { tag: 'helloworld.DEBUG', record: { k: 'second' } },
    ]);
    expect(log.stats()).toEqual({ delivered: 3, dropped: 0, pending: 0 });
  });

  it('tags with the level alone without a prefix, keeps fields from withFields and honours the level', async () => {
    const r = await receiver();
    cleanups.push(() => r.server.close());
    const log = logger(r.port, { level: 'warn' });
    expect(log.enabled('info')).toBe(false);
    expect(log.enabled('error')).toBe(true);
    const child = withFields(log, 'service.name', 'users');
    child.log('info', 'msg', 'dropped by level');
    child.log('warn', 'msg', 'slow');
    log.log('fatal');
    await log.flush();
    expect(r.entries).toEqual([{ tag: 'WARN', record: { 'service.name': 'users', msg: 'slow' } }]);
  });

  it('keeps lines logged while the receiver is down and delivers them once it is back', async () => {
    const port = await freePort();
    const log = logger(port, { reconnectMaxDelay: 200 });
    for (let i = 0; i < 50; i++) log.log('info', 'seq', i);
    expect(log.stats().pending).toBe(50);
    const r = await receiver(port);
    cleanups.push(() => r.server.close());
    await waitFor(() => r.entries.length === 50, { timeout: 20_000, message: '50 lines delivered' });
    await log.flush();
    expect(r.entries.map((e) => e.record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(log.stats()).toEqual({ delivered: 50, dropped: 0, pending: 0 });
  });

  it('drops the oldest lines past bufferLimit, counts them and reports them on the reporter', async () => {
    const port = await freePort();
    const reports = recordLogs();
    const log = logger(port, { bufferLimit: 10, reporter: reports.logger, reconnectMaxDelay: 200 });
    for (let i = 0; i < 25; i++) log.log('info', 'seq', i);
    // drops are counted when the client settles their sends (a microtask later)
    await waitFor(() => log.stats().dropped === 15, { message: '15 drops counted' });
    expect(log.stats()).toEqual({ delivered: 0, dropped: 15, pending: 10 });
    const r = await receiver(port);
    cleanups.push(() => r.server.close());
    await log.flush();
    expect(r.entries.map((e) => e.record.seq)).toEqual(Array.from({ length: 10 }, (_, i) => String(15 + i)));
    expect(log.stats()).toEqual({ delivered: 10, dropped: 15, pending: 0 });
    expect(reports.lines).toHaveLength(1);
    expect(reports.lines[0]).toContain('fluent: dropped 15 log line(s)');
    expect(reports.lines[0]).toContain('dropped 15 dropped_total 15');
  });

  it('is flushed by the App on stop: the last lines reach the receiver', async () => {
    const r = await receiver();
    cleanups.push(() => r.server.close());
    const log = logger(r.port);
    const app = createApp({ name: 'fluent-app', logger: log, signals: [] });
    const running = app.run();
    for (let i = 0; i < 20; i++) log.log('info', 'msg', 'work', 'n', i);
    await app.stop();
    await running;
    expect(r.entries.filter((e) => e.record.msg === 'work')).toHaveLength(20);
  });

  it('counts lines logged after close as dropped and returns without waiting on the network', async () => {
    const port = await freePort();
    const reports = recordLogs();
    const log = createFluentLogger({
      address: `tcp://127.0.0.1:${port}`,
      reporter: reports.logger,
      flushTimeout: 100,
    });
    log.log('info', 'msg', 'never delivered');
    await log.close();
    log.log('info', 'msg', 'after close');
    await log.flush();
    expect(log.stats()).toEqual({ delivered: 0, dropped: 2, pending: 0 });
    expect(reports.lines).toHaveLength(2);
    expect(reports.lines[1]).toContain('dropped 1 dropped_total 2');
  });

  it('rejects bad addresses and options with clear errors', () => {
    expect(parseFluentAddress('tcp://127.0.0.1:24224')).toEqual({ host: '127.0.0.1', port: 24224 });
    expect(parseFluentAddress('tcp://[::1]:24224')).toEqual({ host: '::1', port: 24224 });
    expect(parseFluentAddress('unix:///var/run/fluent/fluent.sock')).toEqual({
      path: '/var/run/fluent/fluent.sock',
    });
    expect(() => parseFluentAddress('udp://127.0.0.1:1')).toThrow(/unknown network "udp"/);
    expect(() => parseFluentAddress('tcp://127.0.0.1')).toThrow(/want tcp:\/\/host:port/);
    expect(() => parseFluentAddress('not a url')).toThrow(/invalid fluent address/);
    expect(() => createFluentLogger({ bufferLimit: 0 })).toThrow(/bufferLimit must be a number >= 1/);
  });
});
