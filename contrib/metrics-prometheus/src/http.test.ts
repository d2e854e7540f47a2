import { createHttpServer, type HttpServer } from '@kratos/http';
import { serverMetrics } from '@kratos/middleware';
import { registerEcho } from '@kratos/testkit/echo';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, mountMetrics } from '../src/index.ts';

const quiet = { log() {} };
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start() {
  const metrics = createPrometheusMetrics();
  server = createHttpServer({
    address: '127.0.0.1:0',
    middleware: [serverMetrics({ metrics })],
    logger: quiet,
  });
  registerEcho(server);
  mountMetrics(server, metrics);
  await server.start();
  return `http://127.0.0.1:${server.address()!.port}`;
}

describe('/metrics on an HTTP server', () => {
  it('counts requests by code and reason and serves them in the exposition format', async () => {
    const base = await start();
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/v1/echo/hi`)).status).toBe(200);
    const missing = await fetch(`${base}/v1/echo/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 404, reason: 'ECHO_NOT_FOUND' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain(
      'server_requests_code_total{kind="http",operation="/test.v1.Echo/Echo",code="200",reason=""} 3',
    );
    expect(text).toContain(
      'server_requests_code_total{kind="http",operation="/test.v1.Echo/Echo",code="404",reason="ECHO_NOT_FOUND"} 1',
    );
    expect(text).toContain('server_requests_seconds_count{kind="http",operation="/test.v1.Echo/Echo"} 4');
    expect(text).toContain(
      'server_requests_seconds_bucket{le="0.005",kind="http",operation="/test.v1.Echo/Echo"}',
    );
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('random unknown paths add no series (label explosion attempt)', async () => {
    const base = await start();
    await fetch(`${base}/v1/echo/hi`);
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${base}/random/${Math.random().toString(36).slice(2)}?x=${i}`);
      expect(r.status).toBe(404);
      await r.arrayBuffer();
    }
    const text = await (await fetch(`${base}/metrics`)).text();
    const operations = new Set(
      [...text.matchAll(/server_requests_code_total\{[^}]*operation="([^"]*)"/g)].map((m) => m[1]),
    );
    expect([...operations]).toEqual(['/test.v1.Echo/Echo']);
    expect(text).not.toContain('/random/');
  });
});
