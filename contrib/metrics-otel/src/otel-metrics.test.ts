import { serverMetrics } from '@kratos/middleware';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { inMemory } from './testdata/in-memory.ts';

describe('createOtelMetrics', () => {
  it('implements counters, gauges and histograms with label binding in declared order', async () => {
    const { metrics, collect } = inMemory();
    const c = metrics.counter({ name: 'jobs_total', help: 'jobs', labels: ['queue', 'result'] });
    c.with('mail', 'ok').inc();
    c.with('mail').with('ok').add(2);
    c.with('mail', 'failed').inc();
    const g = metrics.gauge({ name: 'in_flight', help: 'in flight' });
    g.set(5);
    g.add(2);
    g.sub(3);
    const h = metrics.histogram({
      name: 'job_seconds',
      help: 'durations',
      labels: ['queue'],
      buckets: [1, 0.1],
    });
    h.with('mail').observe(0.05);
    h.with('mail').observe(0.5);
    const got = await collect();

    const jobs = got.get('jobs_total')!;
    expect(jobs.dataPointType).toBe(DataPointType.SUM);
    expect(jobs.descriptor.description).toBe('jobs');
    expect(jobs.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ queue: 'mail', result: 'ok' }, 3],
      [{ queue: 'mail', result: 'failed' }, 1],
    ]);
    expect(got.get('in_flight')!.dataPoints[0]!.value).toBe(4);
    const job = got.get('job_seconds')!;
    expect(job.descriptor.unit).toBe('s');
    expect(job.dataPointType).toBe(DataPointType.HISTOGRAM);
    const point = job.dataPoints[0]!.value as {
      buckets: { boundaries: number[]; counts: number[] };
      count: number;
    };
    expect(point.buckets.boundaries).toEqual([0.1, 1]);
    expect(point.buckets.counts).toEqual([1, 1, 0]);
    expect(point.count).toBe(2);
    await metrics.shutdown();
  });

  it("records the middleware's Go Kratos instruments: names, units, integer code, buckets", async () => {
    const { metrics, collect } = inMemory();
    serverMetrics({ metrics });
    const requests = metrics.counter({
      name: 'server_requests_code_total',
      help: 'h',
      labels: ['kind', 'operation', 'code', 'reason'],
    });
    requests.with('http', '/a.v1.A/Get', '404', 'NOT_FOUND').inc();
    const got = await collect();
    const total = got.get('server_requests_code_total')!;
    expect(total.descriptor.unit).toBe('{call}');
    expect(total.dataPoints[0]!.attributes).toEqual({
      kind: 'http',
      operation: '/a.v1.A/Get',
      code: 404,
      reason: 'NOT_FOUND',
    });
    await metrics.shutdown();
  });

  it('sends names and units as configured, and gives clear errors for bad declarations', async () => {
    const { metrics, collect } = inMemory({
      names: { server_requests_seconds: 'server_requests_seconds_bucket' },
      units: { hits_total: '{hit}' },
      integerLabels: [],
    });
    metrics
      .histogram({ name: 'server_requests_seconds', help: 'h', labels: ['kind'] })
      .with('grpc')
      .observe(0.2);
    metrics
      .counter({ name: 'hits_total', help: 'h', labels: ['code'] })
      .with('200')
      .inc();
    const got = await collect();
    expect(got.get('server_requests_seconds_bucket')!.descriptor.unit).toBe('s');
    expect(got.get('hits_total')!.descriptor.unit).toBe('{hit}');
    expect(got.get('hits_total')!.dataPoints[0]!.attributes).toEqual({ code: '200' });

    const c = metrics.counter({ name: 'x_total', help: 'x', labels: ['a'] });
    expect(() => c.with('1', '2')).toThrow(/x_total has 1 labels \(a\), got 2 values/);
    expect(() => c.inc()).toThrow(/needs values for its labels \(a\)/);
    expect(() => c.with('v').add(-1)).toThrow(/cannot add -1/);
    expect(() => metrics.gauge({ name: 'x_total', help: 'x', labels: ['a'] })).toThrow(/already registered/);
    expect(() => metrics.counter({ name: 'x_total', help: 'x', labels: ['b'] })).toThrow(
      /already registered/,
    );
    expect(() => metrics.counter({ name: '9bad', help: 'x' })).toThrow(/invalid metric name "9bad"/);
    expect(() => metrics.counter({ name: 'ok_total', help: 'x', labels: ['bad label'] })).toThrow(
      /invalid label name/,
    );
    // the same declaration again shares the instrument
    metrics
      .counter({ name: 'x_total', help: 'x', labels: ['a'] })
      .with('v')
      .inc();
    c.with('v').inc();
    expect((await collect()).get('x_total')!.dataPoints[0]!.value).toBe(2);
    await metrics.shutdown();
  });
});
