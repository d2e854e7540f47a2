import { type OtelCollector, recordLogs, startOtelCollector, waitFor } from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFluentLogger, type FluentLogger } from './index.ts';

// Against a real OpenTelemetry Collector (fluentforward receiver -> file exporter): what the
// collector wrote to its file is what arrived.
let collector: OtelCollector;
beforeAll(async () => {
  collector = await startOtelCollector();
});
afterAll(async () => {
  await collector?.stop();
});

async function seqsOf(run: string): Promise<Set<number>> {
  const logs = await collector.logs();
  return new Set(logs.filter((l) => l.attributes.run === run).map((l) => Number(l.attributes.seq)));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('log-fluent -> OpenTelemetry Collector (fluentforward receiver)', () => {
  it('arrives with the Go Kratos tag as fluent.tag and every field as a string attribute', async () => {
    const log = createFluentLogger({ address: collector.fluent, tagPrefix: 'helloworld' });
    try {
      log.log('info', 'run', 'fields', 'msg', 'started', 'port', 8000, 'ok', true);
      log.log('error', 'run', 'fields', 'msg', 'failed', 'message', 'the body');
      await log.flush();
      expect(log.stats()).toEqual({ delivered: 2, dropped: 0, pending: 0 });
      await waitFor(async () => (await seqsOf('fields')).size > 0 && (await collector.logs()).length >= 2, {
        timeout: 20_000,
        message: 'lines in the exporter file',
      });
      const lines = (await collector.logs()).filter((l) => l.attributes.run === 'fields');
      expect(lines).toHaveLength(2);
      expect(lines[0]?.attributes).toEqual({
        'fluent.tag': 'helloworld.INFO',
        run: 'fields',
        msg: 'started',
        port: '8000',
        ok: 'true',
      });
      // the forward receiver takes a `message` (or `log`) field as the record's body
      expect(lines[1]?.attributes['fluent.tag']).toBe('helloworld.ERROR');
      expect(lines[1]?.body).toBe('the body');
      expect(Number(lines[0]?.timeUnixNano)).toBeGreaterThan(0);
    } finally {
      await log.close();
    }
  });

  it('loses nothing across a collector restart while lines keep coming, when they fit in the buffer', async () => {
    const log = createFluentLogger({
      address: collector.fluent,
      bufferLimit: 100_000,
      reconnectMaxDelay: 500,
    });
    let seq = 0;
    // a steady producer: 5 lines every 5 ms, never waiting on the logger
    const producer = setInterval(() => {
      for (let i = 0; i < 5; i++) log.log('info', 'run', 'restart', 'seq', seq++);
    }, 5);
    try {
      await waitFor(() => log.stats().delivered >= 200, { timeout: 30_000, message: '200 lines delivered' });
      // stopped and started again while lines are in flight and being logged
      await collector.restart();
      const atRestart = seq;
      await waitFor(() => log.stats().delivered >= atRestart + 200, {
        timeout: 60_000,
        message: '200 more lines delivered after the restart',
      });
    } finally {
      clearInterval(producer);
    }
    try {
      const total = seq;
      await log.flush();
      expect(log.stats()).toEqual({ delivered: total, dropped: 0, pending: 0 });
      await waitFor(async () => (await seqsOf('restart')).size === total, {
        timeout: 30_000,
        interval: 200,
        message: `all ${total} lines in the exporter file`,
      });
      expect([...(await seqsOf('restart'))].sort((a, b) => a - b)).toEqual(range(0, total));
    } finally {
      await log.close();
    }
  });

  it('drops the oldest lines past the buffer while the collector is down, counts and reports them', async () => {
    const reports = recordLogs();
    const log: FluentLogger = createFluentLogger({
      address: collector.fluent,
      bufferLimit: 20,
      reconnectMaxDelay: 500,
      reporter: reports.logger,
    });
    try {
      log.log('info', 'run', 'overflow', 'seq', -1);
      await log.flush();
      await collector.server.stop();
      for (const i of range(0, 50)) log.log('info', 'run', 'overflow', 'seq', i);
      await collector.restart();
      await log.flush();
      expect(log.stats()).toEqual({ delivered: 21, dropped: 30, pending: 0 });
      expect(reports.lines.join('\n')).toContain('dropped 30 dropped_total 30');
      await waitFor(async () => (await seqsOf('overflow')).size === 21, {
        timeout: 30_000,
        interval: 200,
        message: 'the 21 kept lines in the exporter file',
      });
      // the oldest are dropped; a line whose write hit the dying socket is retried at the back of
      // the queue, so the kept set is the newest 20 or the newest 19 plus that line
      const kept = await seqsOf('overflow');
      expect(kept.size).toBe(21);
      for (const seq of [-1, ...range(31, 50)]) expect(kept.has(seq)).toBe(true);
    } finally {
      await log.close();
    }
  });
});
