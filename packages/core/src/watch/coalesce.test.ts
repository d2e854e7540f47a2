import { describe, expect, it } from 'vitest';
import { createCoalescedTask } from './coalesce.ts';

/** A task whose runs end only when the test lets them. */
function gatedTask() {
  const gates: Array<() => void> = [];
  let runs = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      runs++;
      gates.push(resolve);
    });
  const started = async (n: number) => {
    while (runs < n) await new Promise((r) => setImmediate(r));
  };
  return { task, gates, started, runs: () => runs };
}

describe('createCoalescedTask', () => {
  it('runs once more after the run in flight, however many calls arrived meanwhile', async () => {
    const g = gatedTask();
    const c = createCoalescedTask(g.task);
    const first = c.run();
    await g.started(1);
    expect(c.running).toBe(true);
    const later = [c.run(), c.run(), c.run()];
    g.gates[0]?.();
    await g.started(2);
    g.gates[1]?.();
    await Promise.all([first, ...later]);
    expect(g.runs()).toBe(2);
    expect(c.running).toBe(false);
    await c.idle();
  });

  it('starts a fresh run when called after the last one ended', async () => {
    let runs = 0;
    const c = createCoalescedTask(async () => {
      runs++;
    });
    await c.run();
    await c.run();
    expect(runs).toBe(2);
  });

  it('drops the queued run once stopped, and reports a throwing run', async () => {
    const g = gatedTask();
    let stopped = false;
    const errors: unknown[] = [];
    const c = createCoalescedTask(
      async () => {
        await g.task();
        throw new Error('read failed');
      },
      { stopped: () => stopped, onError: (e) => errors.push(e) },
    );
    const first = c.run();
    await g.started(1);
    const second = c.run();
    stopped = true;
    g.gates[0]?.();
    await Promise.all([first, second, c.idle()]);
    expect(g.runs()).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
