import { describe, expect, it } from 'vitest';
import { noopCounter, noopGauge, noopObserver } from '../adapter.ts';
import { type Metrics, noopMetrics } from '../index.ts';

describe('no-op metrics', () => {
  it('can always be called, with and without labels', () => {
    const m: Metrics = noopMetrics;
    const c = m.counter({ name: 'server_requests_code_total', help: 'h', labels: ['kind', 'operation'] });
    const g = m.gauge({ name: 'in_flight', help: 'h' });
    const h = m.histogram({ name: 'server_requests_seconds', help: 'h', buckets: [0.1, 1] });
    expect(c).toBe(noopCounter);
    expect(g).toBe(noopGauge);
    expect(h).toBe(noopObserver);
    expect(c.with('server', '/a.A/B')).toBe(noopCounter);
    expect(g.with('x')).toBe(noopGauge);
    expect(h.with('x')).toBe(noopObserver);
    expect(() => {
      c.inc();
      c.add(2);
      g.set(1);
      g.add(1);
      g.sub(1);
      h.observe(0.5);
    }).not.toThrow();
  });
});
