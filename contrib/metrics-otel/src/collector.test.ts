import { createHttpServer } from '@kratos/http';
import { serverMetrics } from '@kratos/middleware';
import {
  type CollectedMetric,
  type OtelCollector,
  silentLogger,
  startOtelCollector,
  waitFor,
} from '@kratos/testkit';
import { registerEcho } from '@kratos/testkit/echo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtelMetrics } from './index.ts';

// Exported over OTLP/HTTP (protobuf) to a real OpenTelemetry Collector; read from its file exporter.
let collector: OtelCollector;
beforeAll(async () => {
  collector = await startOtelCollector();
});
afterAll(async () => {
  await collector?.stop();
});

describe('metrics-otel -> OpenTelemetry Collector (otlp receiver)', () => {
  it("arrives with Go Kratos' instrument names, units, attributes and buckets", async () => {
    const serviceName = `metrics-otel-${process.pid}`;
    const metrics = createOtelMetrics({ url: `${collector.otlpHttp}/v1/metrics`, serviceName });
    const server = createHttpServer({
      address: '127.0.0.1:0',
      middleware: [serverMetrics({ metrics })],
      logger: silentLogger,
    });
    registerEcho(server);
    await server.start();
    try {
      const base = `http://127.0.0.1:${server.address()!.port}`;
      for (let i = 0; i < 2; i++) expect((await fetch(`${base}/v1/echo/hi`)).status).toBe(200);
      expect((await fetch(`${base}/v1/echo/missing`)).status).toBe(404);
      await metrics.forceFlush();
    } finally {
      await server.stop();
      await metrics.shutdown();
    }
    let mine: CollectedMetric[] = [];
    await waitFor(
      async () => {
        mine = (await collector.metrics()).filter((m) => m.resource['service.name'] === serviceName);
        return mine.some((m) => m.name === 'server_requests_seconds');
      },
      { timeout: 20_000, interval: 200, message: 'metrics in the exporter file' },
    );
    const last = (name: string) => mine.filter((m) => m.name === name).at(-1)!;
    const total = last('server_requests_code_total');
    expect(total).toMatchObject({ type: 'sum', monotonic: true, unit: '{call}', scope: 'kratos' });
    const op = '/test.v1.Echo/Echo';
    expect(total.points.map((p) => [p.attributes, p.value])).toEqual([
      [{ kind: 'http', operation: op, code: 200, reason: '' }, 2],
      [{ kind: 'http', operation: op, code: 404, reason: 'ECHO_NOT_FOUND' }, 1],
    ]);
    const seconds = last('server_requests_seconds');
    expect(seconds).toMatchObject({ type: 'histogram', unit: 's' });
    expect(seconds.points).toHaveLength(1);
    expect(seconds.points[0]).toMatchObject({
      attributes: { kind: 'http', operation: op },
      count: 3,
      explicitBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    });
  });
});
