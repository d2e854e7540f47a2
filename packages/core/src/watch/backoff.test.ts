import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffSchedule, pause, retryWithBackoff } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the initial pause up to the bound, 2 s by default', () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n))).toEqual([
      250, 500, 1000, 2000, 2000, 2000, 2000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, { initialBackoffMs: 10, maxBackoffMs: 25 }))).toEqual([
      10, 20, 25,
    ]);
  });

  it('spreads a jittered pause within the given fraction', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, { initialBackoffMs: 100, maxBackoffMs: 10_000, jitter: 0.5 });
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(600);
    }
  });
});

describe('backoffSchedule', () => {
  it('walks the same pauses as backoffDelay, and a step can be reused', () => {
    const first = backoffSchedule({ initialBackoffMs: 100, maxBackoffMs: 300 });
    const durations: number[] = [];
    for (let step = first, i = 0; i < 4; i++, step = step.next()) durations.push(step.duration);
    expect(durations).toEqual([100, 200, 300, 300]);
    expect(first.next().duration).toBe(200);
  });
});

describe('retryWithBackoff', () => {
  it('retries until an attempt succeeds and resolves its result, reporting each failure', async () => {
    const reported: Array<[string, number, number]> = [];
    let calls = 0;
    const got = await retryWithBackoff(
      async () => {
        if (++calls < 4) throw new Error(`failure ${calls}`);
        return 'ok';
      },
      {
        signal: new AbortController().signal,
        initialBackoffMs: 1,
        maxBackoffMs: 2,
        onError: (e, ms, failures) => reported.push([(e as Error).message, ms, failures]),
      },
    );
    expect(got).toBe('ok');
    expect(reported).toEqual([
      ['failure 1', 1, 1],
      ['failure 2', 2, 2],
      ['failure 3', 2, 3],
    ]);
  });

  it('resolves undefined when aborted during a pause, without another attempt', async () => {
    const ac = new AbortController();
    let calls = 0;
    const got = await retryWithBackoff(
      async () => {
        calls++;
        throw new Error('down');
      },
      { signal: ac.signal, initialBackoffMs: 600_000, onError: () => ac.abort() },
    );
    expect(got).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('starts the pauses over after an attempt that made progress', async () => {
    const pauses: number[] = [];
    let calls = 0;
    await retryWithBackoff(
      async (progressed) => {
        calls++;
        if (calls === 3) progressed();
        if (calls < 5) throw new Error('broke');
      },
      {
        signal: new AbortController().signal,
        initialBackoffMs: 1,
        maxBackoffMs: 100,
        onError: (_e, ms) => pauses.push(ms),
      },
    );
    expect(pauses).toEqual([1, 2, 1, 2]);
  });

  it('rejects with what onError throws', async () => {
    await expect(
      retryWithBackoff(
        async () => {
          throw new Error('down');
        },
        {
          signal: new AbortController().signal,
          onError: () => {
            throw new Error('give up');
          },
        },
      ),
    ).rejects.toThrow('give up');
  });
});

describe('pause', () => {
  it('resolves at once for an aborted signal', async () => {
    await pause(600_000, AbortSignal.abort());
  });
});
