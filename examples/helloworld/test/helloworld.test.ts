import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { freePort, waitFor } from '@kratos/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelloReplySchema, HelloRequestSchema } from '../api/helloworld/v1/greeter_pb.js';

const root = new URL('..', import.meta.url).pathname;

/** Starts the example as a user would, from another working directory, on free ports. */
async function startExample() {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const confDir = mkdtempSync(join(tmpdir(), 'helloworld-conf-'));
  writeFileSync(
    join(confDir, 'config.yaml'),
    `server:\n  http:\n    addr: 127.0.0.1:${httpPort}\n    timeout: 1s\n  grpc:\n    addr: 127.0.0.1:${grpcPort}\n    timeout: 1s\ndata:\n  greeting: Hello\n`,
  );
  const child = spawn(
    process.execPath,
    ['--conditions=kratos-source', join(root, 'cmd/helloworld/main.ts'), '-conf', confDir],
    {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  await waitFor(
    () => output.includes('[gRPC] server listening') && output.includes('[HTTP] server listening'),
    {
      timeout: 20_000,
      message: 'the example did not start listening',
    },
  );
  return { child, httpPort, grpcPort, exited, output: () => output };
}

function grpcCall(port: number, name: string): Promise<{ reply?: string; error?: grpc.ServiceError }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/helloworld.v1.Greeter/SayHello',
      (m: { name: string }) => Buffer.from(toBinary(HelloRequestSchema, create(HelloRequestSchema, m))),
      (b: Buffer) => fromBinary(HelloReplySchema, b),
      { name },
      (error, reply) => {
        client.close();
        resolve(error ? { error } : { reply: reply?.message });
      },
    );
  });
}

describe('examples/helloworld, driven as a user would', () => {
  let app: Awaited<ReturnType<typeof startExample>>;
  beforeAll(async () => {
    app = await startExample();
  }, 30_000);
  afterAll(() => {
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
  });

  it('answers GET /helloworld/{name} over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/helloworld/kratos`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Hello kratos' });
  });

  it('answers helloworld.v1.Greeter/SayHello over gRPC', async () => {
    expect(await grpcCall(app.grpcPort, 'kratos')).toEqual({ reply: 'Hello kratos' });
  });

  it('returns 404 USER_NOT_FOUND on both transports', async () => {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/helloworld/unknown`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'user unknown not found',
      metadata: {},
    });
    const { error } = await grpcCall(app.grpcPort, 'unknown');
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(error?.details).toBe('user unknown not found');
    expect(error?.metadata.get('grpc-status-details-bin')).toHaveLength(1);
  });

  it('serves Prometheus metrics with Go Kratos names for both transports', async () => {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/metrics`);
    const text = await res.text();
    expect(text).toMatch(
      /server_requests_code_total\{[^}]*kind="http"[^}]*operation="\/helloworld\.v1\.Greeter\/SayHello"[^}]*code="200"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /server_requests_code_total\{[^}]*kind="grpc"[^}]*code="404"[^}]*reason="USER_NOT_FOUND"[^}]*\} [1-9]/,
    );
    expect(text).toContain('server_requests_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('writes one access log line per request, with the trace id', () => {
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes('component=http') && l.includes('operation=/helloworld.v1.Greeter/SayHello'));
    expect(line).toBeDefined();
    expect(line).toMatch(/kind=server/);
    expect(line).toMatch(/trace\.id=[0-9a-f]{32}/);
    expect(line).toMatch(/latency=/);
  });

  it("logs in Go Kratos' shape", () => {
    expect(app.output()).toMatch(
      /^INFO ts=\S+ caller=\S+ service\.id=\S+ service\.name=helloworld service\.version=v1\.0\.0 .*msg=/m,
    );
  });

  it('exits 0 on SIGTERM after draining', async () => {
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});

describe('examples/helloworld configuration errors', () => {
  it('names the absolute path it tried when the config is missing', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=kratos-source', join(root, 'cmd/helloworld/main.ts'), '-conf', 'no/such/dir'],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise((res) => child.on('exit', res));
    expect(code).toBe(1);
    expect(out).toContain(join(tmpdir(), 'no/such/dir'));
    expect(out).not.toMatch(/\n\s+at /);
  });
});
