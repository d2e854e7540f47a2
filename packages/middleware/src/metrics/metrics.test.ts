import { type Counter, createContext, type Metrics, notFound, type Observer } from '@kratos/core';
import type { MetricOptions } from '@kratos/core/adapter';
import { applyMiddleware } from '@kratos/core/transport';
import { describe, expect, it } from 'vitest';
import { clientMetrics, DEFAULT_SECONDS_BUCKETS, serverMetrics } from '../index.ts';

/** Records every increment and observation by metric name and label values. */
function memoryMetrics() {
  const declared: MetricOptions[] = [];
  const counts = new Map<string, number>();
  const observations = new Map<string, number[]>();
  const counter = (name: string, values: string[]): Counter => ({
    with: (...more) => counter(name, [...values, ...more]),
    inc: () => {
      const k = `${name}{${values.join(',')}}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    },
    add: () => {},
  });
  const observer = (name: string, values: string[]): Observer => ({
    with: (...more) => observer(name, [...values, ...more]),
    observe: (v) => {
      const k = `${name}{${values.join(',')}}`;
      observations.set(k, [...(observations.get(k) ?? []), v]);
    },
  });
  const metrics: Metrics = {
    counter: (o) => {
      declared.push(o);
      return counter(o.name, []);
    },
    histogram: (o) => {
      declared.push(o);
      return observer(o.name, []);
    },
    gauge: () => {
      throw new Error('not used');
    },
  };
  return { metrics, declared, counts, observations };
}

const call = (
  h: ReturnType<typeof applyMiddleware>,
  operation: string,
  kind = 'http',
  side: 'server' | 'client' = 'server',
) => h(createContext({ kind, side, operation }), {});

describe('serverMetrics / clientMetrics', () => {
  it('declares Go Kratos names, labels and buckets once per Metrics and side', () => {
    const m = memoryMetrics();
    serverMetrics({ metrics: m.metrics });
    serverMetrics({ metrics: m.metrics });
    clientMetrics({ metrics: m.metrics });
    expect(m.declared.map((d) => [d.name, d.labels])).toEqual([
      ['server_requests_code_total', ['kind', 'operation', 'code', 'reason']],
      ['server_requests_seconds', ['kind', 'operation']],
      ['client_requests_code_total', ['kind', 'operation', 'code', 'reason']],
      ['client_requests_seconds', ['kind', 'operation']],
    ]);
    expect(m.declared[1]!.buckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
    expect(DEFAULT_SECONDS_BUCKETS).toEqual(m.declared[1]!.buckets);
  });

  it('counts successes and errors by kind, operation, code and reason, and observes seconds', async () => {
    const m = memoryMetrics();
    const ok = applyMiddleware(async () => 'ok', [serverMetrics({ metrics: m.metrics })]);
    const missing = applyMiddleware(async () => {
      throw notFound('USER_NOT_FOUND', 'no');
    }, [serverMetrics({ metrics: m.metrics })]);
    const broken = applyMiddleware(async () => {
      throw new Error('bug');
    }, [clientMetrics({ metrics: m.metrics })]);
    await call(ok, '/u.v1.U/Get');
    await call(ok, '/u.v1.U/Get', 'grpc');
    await call(ok, '/u.v1.U/Get');
    await expect(call(missing, '/u.v1.U/Get')).rejects.toMatchObject({ code: 404 });
    await expect(call(broken, '/u.v1.U/Get', 'grpc', 'client')).rejects.toThrow('bug');
    expect(Object.fromEntries(m.counts)).toEqual({
      'server_requests_code_total{http,/u.v1.U/Get,200,}': 2,
      'server_requests_code_total{grpc,/u.v1.U/Get,200,}': 1,
      'server_requests_code_total{http,/u.v1.U/Get,404,USER_NOT_FOUND}': 1,
      'client_requests_code_total{grpc,/u.v1.U/Get,500,}': 1,
    });
    const seconds = m.observations.get('server_requests_seconds{http,/u.v1.U/Get}')!;
    expect(seconds).toHaveLength(3);
    for (const s of seconds) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('bounds label values: random operations beyond the cap become one "other" value', async () => {
    const m = memoryMetrics();
    const h = applyMiddleware(async () => {
      throw notFound('NOT_FOUND', 'no route');
    }, [serverMetrics({ metrics: m.metrics, maxOperations: 10, maxReasons: 2 })]);
    for (let i = 0; i < 500; i++) {
      await call(h, `/random/${Math.random().toString(36).slice(2)}`).catch(() => {});
    }
    await call(h, '').catch(() => {});
    const labels = new Set([...m.counts.keys()].map((k) => k.split(',')[1]));
    expect(labels.size).toBe(12); // 10 kept + other + unknown
    expect(labels.has('other')).toBe(true);
    expect(labels.has('unknown')).toBe(true);
    expect(m.counts.get('server_requests_code_total{http,other,404,NOT_FOUND}')).toBe(490);

    const r = memoryMetrics();
    const reasons = applyMiddleware(
      async (ctx) => {
        throw notFound(`R_${ctx.operation}`, 'no');
      },
      [serverMetrics({ metrics: r.metrics, maxReasons: 2 })],
    );
    for (const op of ['A', 'B', 'C', 'D']) await call(reasons, op).catch(() => {});
    expect([...r.counts.keys()].map((k) => k.split(',')[3])).toEqual(['R_A}', 'R_B}', 'OTHER}', 'OTHER}']);
  });

  it('accepts ready-made instruments', async () => {
    const m = memoryMetrics();
    const requests = m.metrics.counter({ name: 'mine_total', help: 'h' });
    const seconds = m.metrics.histogram({ name: 'mine_seconds', help: 'h' });
    const h = applyMiddleware(async () => 'ok', [serverMetrics({ requests, seconds })]);
    await call(h, '/a.A/B');
    expect([...m.counts.keys()]).toEqual(['mine_total{http,/a.A/B,200,}']);
    expect([...m.observations.keys()]).toEqual(['mine_seconds{http,/a.A/B}']);
  });
});
