// Debian's real Prometheus scrapes a running kratos-ts HTTP server; the counts come back through
// Prometheus' query API.
import { writeFileSync } from 'node:fs';
import { createHttpServer, type HttpServer } from '@kratos/http';
import { serverMetrics } from '@kratos/middleware';
import { type StartedServer, startServer, waitFor } from '@kratos/testkit';
import { registerEcho } from '@kratos/testkit/echo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, mountMetrics } from '../src/index.ts';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

let prometheus: StartedServer | undefined;
let server: HttpServer | undefined;

beforeAll(async () => {
  const metrics = createPrometheusMetrics();
  server = createHttpServer({
    address: '127.0.0.1:0',
    middleware: [serverMetrics({ metrics })],
    logger: { log() {} },
  });
  registerEcho(server);
  mountMetrics(server, metrics);
  await server.start();
  prometheus = await startServer('prometheus');
});

afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
});

async function query(promql: string): Promise<Sample[]> {
  const url = `${prometheus!.endpoints.http}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const body = (await (await fetch(url)).json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('Prometheus scraping /metrics', () => {
  it('sees the request counts and latency histogram of the server', async () => {
    const port = server!.address()!.port;
    const config = String(prometheus!.endpoints.config);
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: kratos',
        '    scrape_interval: 1s',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${port}"]`,
        '',
      ].join('\n'),
    );
    const reload = await fetch(`${prometheus!.endpoints.http}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);

    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/v1/echo/hi`)).status).toBe(200);
    expect((await fetch(`${base}/v1/echo/missing`)).status).toBe(404);

    const counts = await waitFor(
      async () => {
        const result = await query('server_requests_code_total{job="kratos"}');
        const by = new Map(result.map((s) => [`${s.metric.code}/${s.metric.reason ?? ''}`, s]));
        return by.get('200/')?.value[1] === '3' && by.get('404/ECHO_NOT_FOUND')?.value[1] === '1'
          ? by
          : undefined;
      },
      { timeout: 30_000, interval: 250, message: 'Prometheus scraped the request counts' },
    );
    expect(counts.get('200/')!.metric).toMatchObject({
      __name__: 'server_requests_code_total',
      kind: 'http',
      operation: '/test.v1.Echo/Echo',
      code: '200',
    });
    const latency = await query('server_requests_seconds_count{job="kratos",operation="/test.v1.Echo/Echo"}');
    expect(latency[0]!.value[1]).toBe('4');
    const up = await query('up{job="kratos"}');
    expect(up[0]!.value[1]).toBe('1');
  });
});
