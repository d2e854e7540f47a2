import { create } from '@bufbuild/protobuf';
import { StringValueSchema } from '@bufbuild/protobuf/wkt';
import { createGrpcClient, createGrpcServer } from '@kratos/grpc';
import { clientMetrics, serverMetrics } from '@kratos/middleware';
import { echoMethod, registerGrpcEcho } from '@kratos/testkit/echo';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../src/index.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('metrics on gRPC', () => {
  it('records kind="grpc" server and client series with Kratos codes and reasons', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const server = createGrpcServer({
      address: '127.0.0.1:0',
      middleware: [serverMetrics({ metrics })],
      logger: { log() {} },
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
    await client.unary(echoMethod, create(StringValueSchema, { value: 'hi' }));
    await expect(
      client.unary(echoMethod, create(StringValueSchema, { value: 'missing' })),
    ).rejects.toMatchObject({
      code: 404,
      reason: 'ECHO_NOT_FOUND',
    });
    const text = await metrics.metrics();
    for (const side of ['server', 'client']) {
      expect(text).toContain(
        `${side}_requests_code_total{kind="grpc",operation="/test.v1.Echo/Echo",code="200",reason=""} 2`,
      );
      expect(text).toContain(
        `${side}_requests_code_total{kind="grpc",operation="/test.v1.Echo/Echo",code="404",reason="ECHO_NOT_FOUND"} 1`,
      );
      expect(text).toContain(`${side}_requests_seconds_count{kind="grpc",operation="/test.v1.Echo/Echo"} 3`);
    }
  });
});
