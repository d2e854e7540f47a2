import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../registry/registry.ts';
import type { Fanout } from '../watch/watcher.ts';
import { checkInstance } from './check-instance.ts';
import { createOutageLog, createPollingWatch } from './polling-watch.ts';

const inst = (id: string, version = 'v1'): ServiceInstance => ({
  id,
  name: 'svc',
  version,
  metadata: {},
  endpoints: [`http://127.0.0.1:${id}`],
});

/** A fan that records what is published and lets a test wait for the n-th publish. */
function recordingFan() {
  const published: ServiceInstance[][] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const fan = {
    publish(set: ServiceInstance[]) {
      published.push(set);
      for (const w of waiters.filter((w) => published.length >= w.n)) w.resolve();
    },
  } as Fanout<ServiceInstance[]>;
  const publishes = (n: number) =>
    new Promise<void>((resolve) => {
      if (published.length >= n) resolve();
      else waiters.push({ n, resolve });
    });
  return { fan, published, publishes };
}

/** A read that answers each step in turn (a set, or an Error to throw), then waits until aborted. */
function scriptedRead(steps: (ServiceInstance[] | Error)[]) {
  const signals: AbortSignal[] = [];
  let i = 0;
  const read = (signal: AbortSignal): Promise<ServiceInstance[]> => {
    signals.push(signal);
    const step = steps[i++];
    if (step === undefined) {
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
      );
    }
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  };
  return { read, signals };
}

function recordingLog() {
  const lines: { level: string; keyvals: unknown[] }[] = [];
  return {
    lines,
    log: {
      infow: (...keyvals: unknown[]) => lines.push({ level: 'info', keyvals }),
      warnw: (...keyvals: unknown[]) => lines.push({ level: 'warn', keyvals }),
    },
  };
}

/** A polling watch (interval 1 ms) over a scripted read, with what it publishes and logs. */
function pollingWatchOf(steps: (ServiceInstance[] | Error)[]) {
  const { fan, published, publishes } = recordingFan();
  const { read, signals } = scriptedRead(steps);
  const { lines, log } = recordingLog();
  const watch = createPollingWatch({ backend: 'test', service: 'svc', fan, read, intervalMs: 1, log });
  return { watch, published, publishes, signals, lines };
}

describe('createPollingWatch', () => {
  it('publishes the first read as ready, then only sets that changed', async () => {
    const { watch, published, publishes, signals } = pollingWatchOf([
      [inst('1')],
      [inst('1')],
      [inst('1'), inst('2')],
      [inst('1', 'v2')],
    ]);
    await watch.ready;
    expect(published).toEqual([[inst('1')]]);
    await publishes(3);
    expect(published).toEqual([[inst('1')], [inst('1'), inst('2')], [inst('1', 'v2')]]);
    await watch.stop();
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('a failed first read rejects ready', async () => {
    const { watch, published, signals } = pollingWatchOf([new Error('connection refused')]);
    await expect(watch.ready).rejects.toThrow('connection refused');
    expect(published).toEqual([]);
    await watch.stop();
    expect(signals[0]?.aborted).toBe(true);
  });

  it('keeps the last set while reads fail, warns once, and says when the backend is back', async () => {
    const { watch, published, publishes, lines } = pollingWatchOf([
      [inst('1')],
      new Error('down'),
      new Error('down'),
      new Error('down'),
      [inst('2')],
    ]);
    await watch.ready;
    await publishes(2);
    expect(published).toEqual([[inst('1')], [inst('2')]]);
    expect(lines).toEqual([
      {
        level: 'warn',
        keyvals: [
          'msg',
          'test unreachable, watchers keep the last known instances',
          'service',
          'svc',
          'error',
          'down',
        ],
      },
      { level: 'info', keyvals: ['msg', 'test reachable again', 'service', 'svc'] },
    ]);
    await watch.stop();
  });
});

describe('createOutageLog', () => {
  it('warns on the first failure in a row only, and says recovery only after failures', () => {
    const { lines, log } = recordingLog();
    const outage = createOutageLog('disc', log, ['appid', 'a']);
    outage.recovered();
    outage.failed(new Error('e1'));
    outage.failed(new Error('e2'));
    outage.recovered();
    outage.recovered();
    outage.failed('e3');
    expect(lines).toEqual([
      {
        level: 'warn',
        keyvals: [
          'msg',
          'disc unreachable, watchers keep the last known instances',
          'appid',
          'a',
          'error',
          'e1',
        ],
      },
      { level: 'info', keyvals: ['msg', 'disc reachable again', 'appid', 'a'] },
      {
        level: 'warn',
        keyvals: [
          'msg',
          'disc unreachable, watchers keep the last known instances',
          'appid',
          'a',
          'error',
          'e3',
        ],
      },
    ]);
  });
});

describe('checkInstance', () => {
  it('says which field an instance lacks', () => {
    expect(() => checkInstance({ ...inst('1'), id: '' })).toThrow(/non-empty id/);
    expect(() => checkInstance({ ...inst('1'), name: '' })).toThrow(/non-empty name/);
    expect(() => checkInstance({ ...inst('1'), endpoints: undefined as unknown as string[] })).toThrow(
      /list of endpoints/,
    );
    expect(() => checkInstance(undefined as unknown as ServiceInstance)).toThrow(TypeError);
    expect(() => checkInstance(inst('1'))).not.toThrow();
  });
});
