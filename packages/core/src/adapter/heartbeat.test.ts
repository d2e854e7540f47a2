import { describe, expect, it } from 'vitest';
import { startHeartbeat } from './heartbeat.ts';

const recorder = () => {
  const lines: string[] = [];
  const line =
    (level: string) =>
    (...kv: unknown[]) =>
      lines.push(`${level} ${kv.join(' ')}`);
  return { lines, log: { infow: line('INFO'), errorw: line('ERROR') } };
};

/** A beat driven by the test: each call waits for the test's answer. */
const scripted = () => {
  const calls: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let arrived: (() => void) | undefined;
  return {
    beat: () =>
      new Promise<void>((resolve, reject) => {
        calls.push({ resolve, reject });
        arrived?.();
      }),
    next: async () => {
      const n = calls.length;
      while (calls.length === n) await new Promise<void>((r) => (arrived = r));
      return calls[calls.length - 1]!;
    },
  };
};

describe('startHeartbeat', () => {
  it('beats again after each beat ends, logs one error per outage and its end, stops', async () => {
    const { lines, log } = recorder();
    const s = scripted();
    const hb = startHeartbeat({ backend: 'x', intervalMs: 1, beat: s.beat, log, fields: ['instance', 'a'] });
    (await s.next()).reject(new Error('down'));
    (await s.next()).reject(new Error('still down'));
    (await s.next()).resolve();
    const last = await s.next();
    expect(lines).toEqual([
      'ERROR msg x heartbeat failed instance a error down',
      'INFO msg x heartbeats go through again instance a',
    ]);
    void hb.stop();
    last.resolve();
  });

  it('tells the running beat once it is stopped', async () => {
    const { log } = recorder();
    const s = scripted();
    let seen: (() => boolean) | undefined;
    const hb = startHeartbeat({
      backend: 'x',
      intervalMs: 1,
      beat: (stopped) => {
        seen = stopped;
        return s.beat();
      },
      log,
      fields: [],
    });
    const first = await s.next();
    expect(seen?.()).toBe(false);
    void hb.stop();
    expect(seen?.()).toBe(true);
    first.resolve();
  });

  it('stop() settles once the beat in flight has ended, failed or not', async () => {
    const { log } = recorder();
    for (const outcome of ['resolve', 'reject'] as const) {
      const s = scripted();
      const hb = startHeartbeat({ backend: 'x', intervalMs: 1, beat: s.beat, log, fields: [] });
      const running = await s.next();
      const order: string[] = [];
      const stopped = hb.stop().then(() => order.push('stop settled'));
      await Promise.resolve();
      order.push('beat ends');
      if (outcome === 'resolve') running.resolve();
      else running.reject(new Error('down'));
      await stopped;
      expect(order).toEqual(['beat ends', 'stop settled']);
    }
  });

  it('stop() settles at once when no beat is running', async () => {
    const { log } = recorder();
    const hb = startHeartbeat({ backend: 'x', intervalMs: 60_000, beat: async () => {}, log, fields: [] });
    await expect(hb.stop()).resolves.toBeUndefined();
  });
});
