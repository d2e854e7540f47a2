import { describe, expect, it } from 'vitest';
import { stopGracefully } from '../transport.ts';

describe('stopGracefully', () => {
  it('runs the graceful stop alone when the signal does not fire', async () => {
    const calls: string[] = [];
    const signal = new AbortController().signal;
    await stopGracefully(
      signal,
      async () => {
        calls.push('graceful');
      },
      () => calls.push('force'),
    );
    expect(calls).toEqual(['graceful']);
  });

  it('forces when the signal fires during the graceful stop, and resolves when it settles', async () => {
    const ac = new AbortController();
    const calls: string[] = [];
    let release!: () => void;
    const stopping = stopGracefully(
      ac.signal,
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      () => {
        calls.push('force');
        release();
      },
    );
    ac.abort();
    await stopping;
    expect(calls).toEqual(['force']);
  });

  it('forces at once with a signal that has already fired, and never after the stop', async () => {
    const ac = new AbortController();
    ac.abort();
    const calls: string[] = [];
    await stopGracefully(
      ac.signal,
      async () => {
        calls.push('graceful');
      },
      () => calls.push('force'),
    );
    const late = new AbortController();
    await stopGracefully(
      late.signal,
      async () => {},
      () => calls.push('late force'),
    );
    late.abort();
    expect(calls).toEqual(['force', 'graceful']);
  });
});
