import { describe, expect, it } from 'vitest';
import { type BbrLimiterOptions, createBbrLimiter } from '../index.ts';

// The event-loop turn guard of the BBR limiter, driven by a hand-moved clock; a turn ends when
// the test yields to setImmediate, as the event loop's does.

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function rig(options: BbrLimiterOptions = {}) {
  const s = { t: 100_000, cpu: 0 };
  const limiter = createBbrLimiter({ now: () => s.t, cpu: () => s.cpu, ...options });
  /** `n` calls in the current turn, each running `ms` synchronously; how many were admitted. */
  const turn = (n: number, ms: number): number => {
    let admitted = 0;
    for (let i = 0; i < n; i++) {
      const done = limiter.allow();
      if (done === undefined) continue;
      admitted++;
      s.t += ms;
      done({});
    }
    return admitted;
  };
  /** Teaches the guard what a synchronous call costs, then moves past the bucket it was seen in. */
  const teach = async (ms: number) => {
    turn(2, ms);
    await nextTurn();
    s.t += 200;
  };
  return { s, limiter, turn, teach };
}

describe('BBR limiter: event-loop turn guard', () => {
  it('admits a backed-up turn only its budget of synchronous work and sheds the rest, whatever the load signal', async () => {
    const r = rig();
    await r.teach(2);
    expect(r.limiter.stat()).toMatchObject({ maxPerTurn: 5, cpu: 0 }); // 10 ms budget / 2 ms
    // A burst after a quiet loop is absorbed whole...
    expect(r.turn(12, 2)).toBe(12);
    await nextTurn();
    // ...but when the next turn finds a queue again, it admits 5 and sheds the other 7.
    expect(r.turn(12, 2)).toBe(5);
    await nextTurn();
    expect(r.turn(12, 2)).toBe(5);
    await nextTurn();
    // A short turn (no more calls than it may admit) between long ones does not end the backlog
    // (over one HTTP/2 connection a turn that read a single request often sits between long ones)...
    expect(r.turn(3, 2)).toBe(3);
    await nextTurn();
    expect(r.turn(12, 2)).toBe(5);
    await nextTurn();
    // ...a bucket (100 ms) without a long turn does.
    expect(r.turn(3, 2)).toBe(3);
    await nextTurn();
    r.s.t += 101;
    expect(r.turn(3, 2)).toBe(3);
    await nextTurn();
    expect(r.turn(12, 2)).toBe(12);
  });

  it('while the load signal is hot, holds every turn to its budget, also a burst after a quiet loop', async () => {
    const r = rig();
    await r.teach(2);
    r.s.cpu = 900; // over the default threshold of 800
    expect(r.turn(12, 2)).toBe(5);
    await nextTurn();
    r.s.t += 200;
    expect(r.turn(12, 2)).toBe(5);
    await nextTurn();
    // Cool again, a burst after a quiet bucket is absorbed whole.
    r.s.cpu = 0;
    r.s.t += 200;
    expect(r.turn(12, 2)).toBe(12);
  });

  it('counts the wall time of the turn, not a predicted cost: slower calls or other work leave room for fewer', async () => {
    const r = rig();
    await r.teach(2);
    r.turn(12, 2);
    await nextTurn();
    // Calls now take 4 ms, not the 2 ms learnt: the turn admits at 0, 4 and 8 ms and sheds at 12.
    expect(r.turn(12, 4)).toBe(3);
    await nextTurn();
    // 5 ms of the turn go elsewhere after its first call (the loop's own work, a descheduled
    // process): admitted at 0, 7 and 9 ms, shed at 11.
    let admitted = 0;
    for (let i = 0; i < 12; i++) {
      const done = r.limiter.allow();
      if (i === 0) r.s.t += 5;
      if (done === undefined) continue;
      admitted++;
      r.s.t += 2;
      done({});
    }
    expect(admitted).toBe(3);
  });

  it('learns the work of one call when a turn admits its calls first and runs them after (early admission)', async () => {
    const r = rig();
    // 5 calls admitted at once (a transport reading 5 request heads), then run one after another
    // for 2 ms each: the last one finishes 10 ms after its admission, but costs 2 ms.
    const dones = [0, 1, 2, 3, 4].map(() => r.limiter.allow());
    for (const done of dones) {
      r.s.t += 2;
      done!({});
    }
    await nextTurn();
    r.s.t += 200;
    expect(r.limiter.stat().maxPerTurn).toBe(5); // 10 ms budget / 2 ms, not / 6 ms (their mean wait)
    // A backed-up turn that admits before it runs anything admits the budget's worth at that cost.
    r.turn(12, 2);
    await nextTurn();
    const held = Array.from({ length: 12 }, () => r.limiter.allow());
    expect(held.filter((d) => d !== undefined)).toHaveLength(5);
  });

  it('always admits the first call of a turn, however long it runs', async () => {
    const r = rig();
    await r.teach(30);
    expect(r.limiter.stat().maxPerTurn).toBe(1);
    r.turn(4, 30);
    await nextTurn();
    expect(r.turn(4, 30)).toBe(1);
  });

  it('forgets the backlog when the loop was idle for a bucket between turns', async () => {
    const r = rig();
    await r.teach(2);
    expect(r.turn(12, 2)).toBe(12);
    await nextTurn();
    r.s.t += 150;
    expect(r.turn(12, 2)).toBe(12);
  });

  it('does not count asynchronous calls (finished in a later turn) as turn work', async () => {
    const r = rig();
    for (let round = 0; round < 3; round++) {
      const open = Array.from({ length: 20 }, () => r.limiter.allow());
      expect(open.every((d) => d !== undefined)).toBe(true);
      await nextTurn();
      r.s.t += 50;
      for (const d of open) d!({});
      r.s.t += 100;
    }
    expect(r.limiter.stat().maxPerTurn).toBe(Number.POSITIVE_INFINITY);
  });

  it('scales the turn with the budget', async () => {
    const r = rig({ turnBudget: 20 });
    await r.teach(4);
    expect(r.limiter.stat().maxPerTurn).toBe(5);
    r.turn(12, 4);
    await nextTurn();
    expect(r.turn(12, 4)).toBe(5);
  });

  it('rejects a negative or non-numeric budget', () => {
    expect(() => createBbrLimiter({ turnBudget: -1, cpu: () => 0 })).toThrow(RangeError);
    expect(() => createBbrLimiter({ turnBudget: Number.NaN, cpu: () => 0 })).toThrow(RangeError);
  });

  it('is off with turnBudget 0 (Go Kratos behaviour)', async () => {
    const r = rig({ turnBudget: 0 });
    await r.teach(2);
    expect(r.limiter.stat().maxPerTurn).toBe(Number.POSITIVE_INFINITY);
    r.turn(12, 2);
    await nextTurn();
    expect(r.turn(12, 2)).toBe(12);
  });
});
