import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBbrLimiter, type LimiterDone } from '../index.ts';
import { createCpuProbe } from './load-signal.ts';

/** A limiter on a hand-driven clock and load. */
function rig(cpu = 0) {
  const s = { t: 100_000, cpu };
  const limiter = createBbrLimiter({ now: () => s.t, cpu: () => s.cpu });
  return { s, limiter };
}

/**
 * Fills ten 100 ms buckets with 50 calls each taking 20 ms while the load is low:
 * maxPass 50, minRT 20 ms -> maxInFlight = 50 x 20 x 10 / 1000 = 10.
 */
function warm(r: ReturnType<typeof rig>): void {
  for (let b = 0; b < 10; b++) {
    const dones: LimiterDone[] = [];
    for (let i = 0; i < 50; i++) dones.push(r.limiter.allow()!);
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
  it('computes maxPass, minRT and maxInFlight from the finished buckets', () => {
    const r = rig();
    warm(r);
    expect(r.limiter.stat()).toMatchObject({ maxPass: 50, minRt: 20, maxInFlight: 10, inFlight: 0, cpu: 0 });
  });

  it('sheds when the load is high and the calls in flight exceed maxInFlight', () => {
    const r = rig();
    warm(r);
    r.s.cpu = 900;
    const { admitted, held } = fill(r, 100);
    // 11 admitted: the 11th saw 10 in flight (not more than 10), the 12th saw 11.
    expect(admitted).toBe(11);
    expect(r.limiter.allow()).toBeUndefined();
    for (const d of held) d({});
  });

  it('lets everything through while the load is under the threshold', () => {
    const r = rig();
    warm(r);
    r.s.cpu = 799;
    expect(fill(r, 200).admitted).toBe(200);
  });

  it('lets calls through under high load while in flight stays within the limit', async () => {
    const r = rig();
    warm(r);
    r.s.cpu = 1000;
    for (let i = 0; i < 30; i++) {
      const a = r.limiter.allow();
      const b = r.limiter.allow();
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      r.s.t += 5;
      a!({});
      b!({});
      await new Promise((resolve) => setImmediate(resolve));
    }
  });

  it('keeps shedding for the cool-off second after the load fell, then stops', () => {
    const r = rig();
    warm(r);
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

  it('counts a synchronous handler that already finished in this event-loop turn as in flight', async () => {
    const r = rig();
    warm(r);
    r.s.cpu = 950;
    // Each call finishes before the next starts, as a synchronous handler's do.
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      const d = r.limiter.allow();
      if (d === undefined) break;
      admitted++;
      d({});
    }
    expect(admitted).toBe(11);
    expect(r.limiter.allow()).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    const next = r.limiter.allow();
    expect(next).toBeDefined();
    next!({});
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
