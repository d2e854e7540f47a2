import { describe, expect, it } from 'vitest';
import { createContext } from '../index.ts';
import { createDeadlineTimer } from '../transport.ts';

describe('createDeadlineTimer', () => {
  it('fires each scheduled deadline once, never before it', async () => {
    const timer = createDeadlineTimer({ resolution: 2 });
    const fired: Array<{ id: number; at: number; deadline: number }> = [];
    const all = Promise.all(
      [5, 1, 10].map(
        (ms, id) =>
          new Promise<void>((resolve) => {
            const deadline = Date.now() + ms;
            timer.schedule(deadline, () => {
              fired.push({ id, at: Date.now(), deadline });
              resolve();
            });
          }),
      ),
    );
    expect(timer.size).toBe(3);
    await all;
    expect(fired.map((f) => f.id).sort()).toEqual([0, 1, 2]);
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.deadline);
    expect(timer.size).toBe(0);
    timer.close();
  });

  it('a deadline already past fires on the next tick', async () => {
    const timer = createDeadlineTimer();
    await new Promise<void>((resolve) => timer.schedule(Date.now() - 1000, resolve));
    timer.close();
  });

  it('hands each entry its own arg, so one shared callback serves every call', async () => {
    const timer = createDeadlineTimer({ resolution: 1 });
    const seen: string[] = [];
    const onDeadline = (call: { id: string; done: () => void }) => {
      seen.push(call.id);
      call.done();
    };
    await Promise.all(
      ['a', 'b', 'c'].map(
        (id) => new Promise<void>((done) => timer.schedule(Date.now() + 1, onDeadline, { id, done })),
      ),
    );
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    timer.close();
  });

  it('a deadline scheduled into a bucket whose entries were all cancelled still fires', async () => {
    const timer = createDeadlineTimer({ resolution: 50 });
    const deadline = Date.now() + 20;
    let early = 0;
    for (let i = 0; i < 3; i++) timer.schedule(deadline, () => early++).cancel();
    expect(timer.size).toBe(0);
    const fired = await new Promise<number>((resolve) => timer.schedule(deadline, () => resolve(Date.now())));
    expect(fired).toBeGreaterThanOrEqual(deadline);
    expect(early).toBe(0);
    expect(timer.size).toBe(0);
    timer.close();
  });

  it('cancel prevents firing', async () => {
    const timer = createDeadlineTimer({ resolution: 1 });
    let cancelledFired = false;
    const handle = timer.schedule(Date.now() + 2, () => {
      cancelledFired = true;
    });
    expect(timer.size).toBe(1);
    handle.cancel();
    handle.cancel();
    expect(timer.size).toBe(0);
    // A later deadline in the same timer: once it has fired, the earlier one would have too.
    await new Promise<void>((resolve) => timer.schedule(Date.now() + 10, resolve));
    expect(cancelledFired).toBe(false);
    timer.close();
  });

  it('close drops pending deadlines and later cancels keep the count sane', async () => {
    const timer = createDeadlineTimer({ resolution: 1 });
    let fired = false;
    const handle = timer.schedule(Date.now() + 2, () => {
      fired = true;
    });
    timer.close();
    handle.cancel();
    expect(timer.size).toBe(0);
    // The timer can be used again after close.
    await new Promise<void>((resolve) => timer.schedule(Date.now() + 10, resolve));
    expect(fired).toBe(false);
    expect(timer.size).toBe(0);
    timer.close();
  });

  it('an infinite deadline never fires and NaN is refused', () => {
    const timer = createDeadlineTimer();
    const h = timer.schedule(Number.POSITIVE_INFINITY, () => {
      throw new Error('must not fire');
    });
    expect(timer.size).toBe(0);
    h.cancel();
    expect(() => timer.schedule(Number.NaN, () => {})).toThrow(/NaN/);
    timer.close();
  });

  it('drives CallContext.expire for contexts whose deadline it owns', async () => {
    const timer = createDeadlineTimer({ resolution: 1 });
    const ctx = createContext({ timeout: 3 }).ownDeadline();
    const signal = ctx.signal;
    timer.schedule(ctx.deadline!, () => ctx.expire());
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
    timer.close();
  });
});
