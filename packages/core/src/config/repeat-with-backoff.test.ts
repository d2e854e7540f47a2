import { describe, expect, it } from 'vitest';
import { repeatWithBackoff } from '../adapter.ts';

describe('repeatWithBackoff', () => {
  it('pauses after failures, doubling up to the bound, and a success resets the pause', async () => {
    const ac = new AbortController();
    const outcomes = ['fail', 'fail', 'fail', 'fail', 'ok', 'fail', 'ok', 'ok', 'stop'];
    let calls = 0;
    const reported: Array<[string, number]> = [];
    await repeatWithBackoff(
      async () => {
        const outcome = outcomes[calls++];
        if (outcome === 'stop') ac.abort();
        else if (outcome === 'fail') throw new Error(`failure ${calls}`);
      },
      {
        signal: ac.signal,
        initialBackoffMs: 1,
        maxBackoffMs: 4,
        onError: (e, retryInMs) => reported.push([(e as Error).message, retryInMs]),
      },
    );
    expect(calls).toBe(outcomes.length);
    expect(reported).toEqual([
      ['failure 1', 1],
      ['failure 2', 2],
      ['failure 3', 4],
      ['failure 4', 4],
      ['failure 6', 1],
    ]);
  });

  it('an abort cuts the pause short and ends the loop', async () => {
    const ac = new AbortController();
    let calls = 0;
    await repeatWithBackoff(
      async () => {
        calls++;
        throw new Error('down');
      },
      { signal: ac.signal, initialBackoffMs: 600_000, onError: () => ac.abort() },
    );
    expect(calls).toBe(1);
  });

  it('does not report the error of a step cut off by the abort', async () => {
    const ac = new AbortController();
    const reported: unknown[] = [];
    await repeatWithBackoff(
      async () => {
        ac.abort();
        throw new Error('aborted request');
      },
      { signal: ac.signal, onError: (e) => reported.push(e) },
    );
    expect(reported).toEqual([]);
  });

  it('runs no step when the signal has already aborted', async () => {
    let calls = 0;
    await repeatWithBackoff(
      async () => {
        calls++;
      },
      { signal: AbortSignal.abort(), onError: () => {} },
    );
    expect(calls).toBe(0);
  });
});
