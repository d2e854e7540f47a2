import { create } from '@bufbuild/protobuf';
import { StringValueSchema } from '@bufbuild/protobuf/wkt';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { createHttpServer } from '@kratos/http';
import { clientMetrics, serverMetrics } from '@kratos/middleware';
import { silentLogger } from '@kratos/testkit';
import { echoMethod, registerEcho, registerGrpcEcho } from '@kratos/testkit/echo';
import { afterEach, describe, expect, it } from 'vitest';
import { inMemory } from './testdata/in-memory.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the metrics middleware over OpenTelemetry', () => {
  it('records kind="http" server series with Kratos codes and reasons', async () => {
    const { metrics, collect } = inMemory();
    cleanups.push(() => metrics.shutdown());
    const server = createHttpServer({
      address: '127.0.0.1:0',
      middleware: [serverMetrics({ metrics })],
      logger: silentLogger,
    });
    registerEcho(server);
    await server.start();
    cleanups.push(() => server.stop());
    const base = `http://127.0.0.1:${server.address()!.port}`;
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/v1/echo/hi`)).status).toBe(200);
    expect((await fetch(`${base}/v1/echo/missing`)).status).toBe(404);

    const got = await collect();
    const op = '/test.v1.Echo/Echo';
    expect(got.get('server_requests_code_total')!.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ kind: 'http', operation: op, code: 200, reason: '' }, 3],
      [{ kind: 'http', operation: op, code: 404, reason: 'ECHO_NOT_FOUND' }, 1],
    ]);
    const seconds = got.get('server_requests_seconds')!;
    expect(seconds.descriptor.unit).toBe('s');
    const point = seconds.dataPoints[0]!;
    expect(point.attributes).toEqual({ kind: 'http', operation: op });
    const hist = point.value as { count: number; buckets: { boundaries: number[] } };
    expect(hist.count).toBe(4);
    expect(hist.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
  });

  it('records kind="grpc" server and client series', async () => {
    const { metrics, collect } = inMemory();
    cleanups.push(() => metrics.shutdown());
    const server = createGrpcServer({
      address: '127.0.0.1:0',
      middleware: [serverMetrics({ metrics })],
      logger: silentLogger,
    });
    registerGrpcEcho(server);
    await server.start();
    cleanups.push(() => server.stop());
    const client = createGrpcClient({
      endpoint: `direct:///127.0.0.1:${server.port}`,
      middleware: [clientMetrics({ metrics })],
    });
    cleanups.push(() => client.close());
    await client.unary(echoMethod, create(StringValueSchema, { value: 'hi' }));
    await expect(
      client.unary(echoMethod, create(StringValueSchema, { value: 'missing' })),
    ).rejects.toMatchObject({
      code: 404,
    });
    const got = await collect();
    for (const side of ['server', 'client']) {
      expect(got.get(`${side}_requests_code_total`)!.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
        [{ kind: 'grpc', operation: '/test.v1.Echo/Echo', code: 200, reason: '' }, 1],
        [{ kind: 'grpc', operation: '/test.v1.Echo/Echo', code: 404, reason: 'ECHO_NOT_FOUND' }, 1],
      ]);
      expect(got.get(`${side}_requests_seconds`)!.dataPoints).toHaveLength(1);
    }
  });
});
