import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcClient } from '@kratos/grpc';
import { createHttpClient } from '@kratos/http';
import { createEtcdRegistry } from '@kratos/registry-etcd';
import { createSelector } from '@kratos/selector';
import { freePort, type StartedServer, startServer, waitFor } from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GreeterGrpcClient } from '../api/helloworld/v1/greeter_grpc.js';
import { GreeterHttpClient } from '../api/helloworld/v1/greeter_http.js';

const root = new URL('..', import.meta.url).pathname;
const quiet = { log() {} };

describe('helloworld registered in etcd, found through discovery:///helloworld with p2c', () => {
  let etcd: StartedServer;
  let child: ReturnType<typeof spawn>;
  let exited: Promise<number | null>;
  beforeAll(async () => {
    etcd = await startServer('etcd');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const conf = mkdtempSync(join(tmpdir(), 'hw-etcd-'));
    writeFileSync(
      join(conf, 'config.yaml'),
      `server:\n  http:\n    addr: 127.0.0.1:${httpPort}\n  grpc:\n    addr: 127.0.0.1:${grpcPort}\n`,
    );
    const etcdHost = new URL(etcd.endpoints.client!).host;
    child = spawn(
      process.execPath,
      [
        '--conditions=kratos-source',
        join(root, 'cmd/helloworld/main.ts'),
        '-conf',
        conf,
        '-registry',
        `etcd://${etcdHost}`,
      ],
      { stdio: 'ignore' },
    );
    exited = new Promise((res) => child.on('exit', res));
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await etcd?.stop();
  });

  it('is called over gRPC and HTTP by generated clients, then deregisters on SIGTERM', async () => {
    const discovery = createEtcdRegistry({ connection: { hosts: etcd.endpoints.client! }, logger: quiet });
    await waitFor(async () => (await discovery.getService('helloworld')).length === 1, { timeout: 20_000 });
    const [instance] = await discovery.getService('helloworld');
    expect(instance!.endpoints.some((e) => e.startsWith('grpc://127.0.0.1:'))).toBe(true);
    expect(instance!.endpoints.some((e) => e.startsWith('http://127.0.0.1:'))).toBe(true);

    const grpc = createGrpcClient({
      endpoint: 'discovery:///helloworld',
      discovery,
      selector: createSelector({ balancer: 'p2c' }),
    });
    const http = createHttpClient({
      endpoint: 'discovery:///helloworld',
      discovery,
      selector: createSelector({ balancer: 'p2c' }),
    });
    try {
      expect((await new GreeterGrpcClient(grpc).sayHello({ name: 'grpc' })).message).toBe('Hello grpc');
      expect((await new GreeterHttpClient(http).sayHello({ name: 'http' })).message).toBe('Hello http');
      await expect(new GreeterGrpcClient(grpc).sayHello({ name: 'unknown' })).rejects.toMatchObject({
        code: 404,
        reason: 'USER_NOT_FOUND',
      });
      await expect(new GreeterHttpClient(http).sayHello({ name: 'unknown' })).rejects.toMatchObject({
        code: 404,
        reason: 'USER_NOT_FOUND',
      });
    } finally {
      await grpc.close();
      await http.close();
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await discovery.getService('helloworld')).toEqual([]);
    await discovery.close();
  }, 60_000);
});
