import { serverMetrics } from '@kratos/middleware';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../src/index.ts';

describe('createPrometheusMetrics', () => {
  it('implements counters, gauges and histograms with label binding in declared order', async () => {
    const m = createPrometheusMetrics({ defaultMetrics: false });
    const c = m.counter({ name: 'jobs_total', help: 'jobs', labels: ['queue', 'result'] });
    c.with('mail', 'ok').inc();
    c.with('mail').with('ok').add(2);
    c.with('mail', 'failed').inc();
    const g = m.gauge({ name: 'in_flight', help: 'in flight' });
    g.set(5);
    g.add(2);
    g.sub(3);
    const h = m.histogram({ name: 'job_seconds', help: 'durations', labels: ['queue'], buckets: [0.1, 1] });
    h.with('mail').observe(0.05);
    h.with('mail').observe(0.5);
    const text = await m.metrics();
    expect(text).toContain('jobs_total{queue="mail",result="ok"} 3');
    expect(text).toContain('jobs_total{queue="mail",result="failed"} 1');
    expect(text).toContain('in_flight 4');
    expect(text).toContain('job_seconds_bucket{le="0.1",queue="mail"} 1');
    expect(text).toContain('job_seconds_bucket{le="1",queue="mail"} 2');
    expect(text).toContain('job_seconds_count{queue="mail"} 2');
    expect(m.contentType).toContain('text/plain');
  });

  it('gives clear errors for wrong label counts and clashing re-declarations', () => {
    const m = createPrometheusMetrics({ defaultMetrics: false });
    const c = m.counter({ name: 'x_total', help: 'x', labels: ['a'] });
    expect(() => c.with('1', '2')).toThrow(/x_total has 1 labels \(a\), got 2 values/);
    expect(() => c.inc()).toThrow(/needs values for its labels \(a\)/);
    expect(() => m.gauge({ name: 'x_total', help: 'x', labels: ['a'] })).toThrow(/already registered/);
    expect(() => m.counter({ name: 'x_total', help: 'x', labels: ['b'] })).toThrow(/already registered/);
    // the same declaration again is the same metric
    m.counter({ name: 'x_total', help: 'x', labels: ['a'] })
      .with('v')
      .inc();
    c.with('v').inc();
  });

  it('renders histograms fully, escapes label values and rejects invalid declarations', async () => {
    const m = createPrometheusMetrics({ defaultMetrics: false });
    const h = m.histogram({ name: 'lat_seconds', help: 'latency', labels: ['op'], buckets: [1, 0.5] });
    h.with('a"b\\c\nd').observe(0.7);
    h.with('a"b\\c\nd').observe(3);
    const text = await m.metrics();
    expect(text).toContain('lat_seconds_bucket{le="0.5",op="a\\"b\\\\c\\nd"} 0');
    expect(text).toContain('lat_seconds_bucket{le="1",op="a\\"b\\\\c\\nd"} 1');
    expect(text).toContain('lat_seconds_bucket{le="+Inf",op="a\\"b\\\\c\\nd"} 2');
    expect(text).toContain('lat_seconds_sum{op="a\\"b\\\\c\\nd"} 3.7');
    expect(text).toContain('lat_seconds_count{op="a\\"b\\\\c\\nd"} 2');
    const json = await m.registry.getMetricsAsJSON();
    expect(json.find((x) => x.name === 'lat_seconds')?.type).toBe('histogram');

    expect(() => m.counter({ name: 'bad-name', help: 'x' })).toThrow(/invalid metric name "bad-name"/);
    expect(() => m.counter({ name: 'ok_total', help: 'x', labels: ['bad label'] })).toThrow(
      /invalid label name/,
    );
    expect(() => m.histogram({ name: 'h2', help: 'x', labels: ['le'] })).toThrow(/"le" is reserved/);
    const c = m.counter({ name: 'up_total', help: 'x' });
    expect(() => c.add(-1)).toThrow(/cannot add -1/);
    expect(() => c.add(Number.NaN)).toThrow(/cannot add NaN/);
  });

  it('collects process metrics once per registry, with prefix and default labels', async () => {
    const registry = new Registry();
    const m = createPrometheusMetrics({ registry, prefix: 'app_', defaultLabels: { service: 'users' } });
    createPrometheusMetrics({ registry, prefix: 'app_' }); // no duplicate registration error
    m.counter({ name: 'hits_total', help: 'h' }).inc();
    const text = await registry.metrics();
    expect(text).toContain('app_process_cpu_user_seconds_total');
    expect(text).toContain('app_nodejs_eventloop_lag_seconds');
    expect(text).toContain('app_hits_total{service="users"} 1');
  });

  it('serves the middleware metrics of several servers from one registry', async () => {
    const m = createPrometheusMetrics({ defaultMetrics: false });
    serverMetrics({ metrics: m });
    serverMetrics({ metrics: m });
    const text = await m.metrics();
    expect(text).toContain('# TYPE server_requests_code_total counter');
    expect(text).toContain('# TYPE server_requests_seconds histogram');
  });
});
