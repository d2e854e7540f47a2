import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from '@kratos/core';
import { KratosError } from '@kratos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrorInfo, type GrpcServer } from './index.ts';
import { type HelloRequest, helloReply } from './testdata/greeter.ts';
import { startGreeter } from './testdata/harness.ts';

// grpcurl (Go, `go install github.com/fullstorydev/grpcurl/cmd/grpcurl@latest`) is a real
// third-party reflection client; like the other integration suites this needs the outside tool.
// scripts/test.sh installs it into the cache (`$KRATOS_CACHE/bin`) and exports GRPCURL.
const grpcurl = [
  process.env.GRPCURL,
  join(process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts'), 'bin/grpcurl'),
  join(homedir(), 'go/bin/grpcurl'),
].find((p): p is string => p !== undefined && existsSync(p));
if (grpcurl === undefined) throw new Error('grpcurl is not installed: run scripts/install-tools.sh');

describe('grpcurl against the server', () => {
  let server: GrpcServer;
  let addr: string;
  const run = (...args: string[]) =>
    promisify(execFile)(grpcurl!, ['-plaintext', ...args], { timeout: 20_000 }).then((r) => r.stdout);

  beforeAll(async () => {
    server = await startGreeter({
      SayHello: async (_ctx: Context, req: HelloRequest) => {
        if (req.name === 'bad')
          throw new KratosError(400, 'BAD_NAME', 'name is bad', { metadata: { field: 'name' } });
        return helloReply({ message: `Hello ${req.name}` });
      },
    });
    addr = `127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  it('lists services', async () => {
    const out = await run(addr, 'list');
    expect(out.split('\n')).toEqual(
      expect.arrayContaining(['helloworld.v1.Greeter', 'grpc.health.v1.Health']),
    );
  });

  it('describes a service and a message (with a dependency file)', async () => {
    expect(await run(addr, 'describe', 'helloworld.v1.Greeter')).toContain('rpc SayHello');
    expect(await run(addr, 'describe', 'helloworld.v1.HelloReply')).toContain(
      '.google.protobuf.Timestamp at = 2',
    );
  });

  it('checks health like any grpc-go server', async () => {
    expect(JSON.parse(await run(addr, 'grpc.health.v1.Health/Check'))).toEqual({ status: 'SERVING' });
  });

  it('calls a method, and shows the Kratos error details', async () => {
    const out = await run('-d', '{"name":"curl"}', addr, 'helloworld.v1.Greeter/SayHello');
    expect(JSON.parse(out)).toEqual({ message: 'Hello curl' });
    const err = await run('-d', '{"name":"bad"}', addr, 'helloworld.v1.Greeter/SayHello').catch((e) => e);
    expect(err.stdout + err.stderr).toContain('InvalidArgument');
    const text = String(err.stdout) + String(err.stderr);
    expect(text).toContain('Message: name is bad');
    expect(text).toContain('type.googleapis.com/google.rpc.ErrorInfo');
    // grpcurl cannot name the detail type (the server does not reflect google/rpc), so it prints the bytes.
    const value = /"@value": "([^"]+)"/.exec(text)?.[1];
    expect(decodeErrorInfo(Buffer.from(value!, 'base64'))).toEqual({
      reason: 'BAD_NAME',
      domain: '',
      metadata: { field: 'name' },
    });
  });
});
