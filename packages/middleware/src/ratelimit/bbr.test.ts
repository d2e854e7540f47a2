import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BbrLimiterOptions, createBbrLimiter, type LimiterDone } from '../index.ts';
import { createCpuProbe } from './load-signal.ts';

/** A limiter on a hand-driven clock and load. */
function rig(cpu = 0, options: BbrLimiterOptions = {}) {
  const s = { t: 100_000, cpu };
  const limiter = createBbrLimiter({ now: () => s.t, cpu: () => s.cpu, ...options });
  return { s, limiter };
}

/** Lets the current event-loop turn end. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Fills ten 100 ms buckets with 50 asynchronous calls each (finished in a later event-loop turn)
 * taking 20 ms while the load is low: maxPass 50, minRT 20 ms -> maxInFlight = 50 x 20 x 10 / 1000 = 10.
 */
async function warm(r: ReturnType<typeof rig>): Promise<void> {
  for (let b = 0; b < 10; b++) {
    const dones: LimiterDone[] = [];
    for (let i = 0; i < 50; i++) dones.push(r.limiter.allow()!);
    await nextTurn();
    r.s.t += 20;
    for (const d of dones) d({});
    r.s.t += 80;
  }
}

/** Opens calls until one is shed (at most `max`); returns how many were admitted. */
function fill(r: ReturnType<typeof rig>, max: number): { admitted: number; held: LimiterDone[] } {
  const held: LimiterDone[] = [];
  for (let i = 0; i < max; i++) {
    const d = r.limiter.allow();
    if (d === undefined) break;
    held.push(d);
  }
  return { admitted: held.length, held };
}

describe('BBR limiter', () => {
  it('computes maxPass, minRT and maxInFlight from the finished buckets', async () => {
    const r = rig();
    await warm(r);
    expect(r.limiter.stat()).toMatchObject({ maxPass: 50, minRt: 20, maxInFlight: 10, inFlight: 0, cpu: 0 });
  });

  it('sheds when the load is high and the calls in flight exceed maxInFlight', async () => {
    const r = rig();
    await warm(r);
    r.s.cpu = 900;
    const { admitted, held } = fill(r, 100);
    // 11 admitted: the 11th saw 10 in flight (not more than 10), the 12th saw 11.
    expect(admitted).toBe(11);
    expect(r.limiter.allow()).toBeUndefined();
    for (const d of held) d({});
  });

  it('lets everything through while the load is under the threshold', async () => {
    const r = rig();
    await warm(r);
    r.s.cpu = 799;
    expect(fill(r, 200).admitted).toBe(200);
  });

  it('lets calls through under high load while in flight stays within the limit', async () => {
    const r = rig();
    await warm(r);
    r.s.cpu = 1000;
    expect(r.limiter.stat().maxInFlight).toBe(10);
    // Asynchronous calls (they finish in a later event-loop turn): each step 4 arrive, 2 finish.
    const open: LimiterDone[] = [];
    let admitted = 0;
    let shed = 0;
    let peak = 0;
    for (let step = 0; step < 40; step++) {
      for (let i = 0; i < 4; i++) {
        const before = r.limiter.stat();
        const d = r.limiter.allow();
        // Go's rule, both ways: admitted while at most maxInFlight (or a lone call) were in
        // flight, shed once more were.
        if (d === undefined) {
          shed++;
          expect(before.inFlight).toBeGreaterThan(Math.max(1, before.maxInFlight));
        } else {
          admitted++;
          open.push(d);
          expect(before.inFlight).toBeLessThanOrEqual(Math.max(1, before.maxInFlight));
        }
        expect(r.limiter.stat().inFlight).toBe(open.length);
        peak = Math.max(peak, open.length);
      }
      await nextTurn();
      r.s.t += 5;
      for (const d of open.splice(0, 2)) d({});
    }
    // In flight never went past maxInFlight + 1 = 11; calls kept flowing at the rate they
    // finished (2 per step) and the excess was shed.
    expect(peak).toBe(11);
    expect(admitted).toBeGreaterThanOrEqual(2 * 40);
    expect(shed).toBeGreaterThan(0);
    expect(admitted + shed).toBe(4 * 40);
    for (const d of open) d({});
    expect(r.limiter.stat().inFlight).toBe(0);
  });

  it('keeps shedding for the cool-off second after the load fell, then stops', async () => {
    const r = rig();
    await warm(r);
    r.s.cpu = 900;
    const { held } = fill(r, 100);
    expect(r.limiter.allow()).toBeUndefined();
    r.s.cpu = 100;
    r.s.t += 500;
    expect(r.limiter.allow()).toBeUndefined();
    r.s.t += 501;
    const d = r.limiter.allow();
    expect(d).toBeDefined();
    d!({});
    for (const h of held) h({});
  });

  it('Go rule alone never sheds synchronous calls (they are never in flight together)', async () => {
    const r = rig(0, { turnBudget: 0 });
    await warm(r);
    r.s.cpu = 1000;
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      const d = r.limiter.allow();
      if (d === undefined) break;
      admitted++;
      d({});
    }
    expect(admitted).toBe(50);
  });

  it('never sheds a lone call, whatever the load', () => {
    const r = rig(1000);
    const d = r.limiter.allow();
    expect(d).toBeDefined();
    expect(r.limiter.allow()).toBeDefined();
  });

  it('rejects a window that cannot be cut into buckets', () => {
    expect(() => createBbrLimiter({ window: 10, bucket: 0, cpu: () => 0 })).toThrow(RangeError);
  });

  it('uses the built-in signal through the shared sampler and releases it', () => {
    const limiter = createBbrLimiter({ signal: 'cpu' });
    const d = limiter.allow();
    expect(d).toBeDefined();
    d!({});
    expect(limiter.stat().cpu).toBeGreaterThanOrEqual(0);
    limiter.close();
    limiter.close();
  });
});

describe('CPU probe', () => {
  it('reads cgroup v2 usage and quota', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg2-'));
    try {
      writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 123456\nuser_usec 1\nsystem_usec 2\n');
      writeFileSync(join(dir, 'cpu.max'), '50000 100000\n');
      const probe = createCpuProbe(dir);
      expect(probe.source).toBe('cgroup-v2');
      expect(probe.usage()).toBe(123456);
      expect(probe.capacity).toBe(0.5);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reads cgroup v1 usage and quota', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg1-'));
    try {
      mkdirSync(join(dir, 'cpu'));
      mkdirSync(join(dir, 'cpuacct'));
      writeFileSync(join(dir, 'cpuacct', 'cpuacct.usage'), '5000000\n');
      writeFileSync(join(dir, 'cpu', 'cpu.cfs_quota_us'), '-1\n');
      writeFileSync(join(dir, 'cpu', 'cpu.cfs_period_us'), '100000\n');
      const probe = createCpuProbe(dir);
      expect(probe.source).toBe('cgroup-v1');
      expect(probe.usage()).toBe(5000);
      expect(probe.capacity).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('falls back to the process when there is no cgroup', () => {
    const probe = createCpuProbe('/nonexistent-cgroup-root');
    expect(probe.source).toBe('process');
    expect(probe.usage()).toBeGreaterThan(0);
  });
});
