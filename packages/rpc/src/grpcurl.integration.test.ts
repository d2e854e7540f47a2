// grpcurl (Go, a real third-party reflection client; scripts/install-tools.sh puts it in
// $KRATOS_CACHE/bin and scripts/test.sh exports GRPCURL) against @kratos/rpc: reflection,
// health, a call and a Kratos error, as against @kratos/grpc's server.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Context, KratosError } from '@kratos/core';
import { decodeErrorInfo } from '@kratos/grpc';
import { describe, expect, it } from 'vitest';
import { type HelloRequest, helloReply, rpcFixture } from './testdata/harness.ts';

const grpcurl = [
  process.env.GRPCURL,
  join(process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts'), 'bin/grpcurl'),
  join(homedir(), 'go/bin/grpcurl'),
].find((p): p is string => p !== undefined && existsSync(p));
if (grpcurl === undefined) throw new Error('grpcurl is not installed: run scripts/install-tools.sh');

const { server } = rpcFixture();
const run = (...args: string[]) =>
  promisify(execFile)(grpcurl!, ['-plaintext', ...args], { timeout: 20_000 }).then((r) => r.stdout);

const start = async () => {
  const s = await server({
    SayHello: async (_ctx: Context, req: HelloRequest) => {
      if (req.name === 'bad')
        throw new KratosError(400, 'BAD_NAME', 'name is bad', { metadata: { field: 'name' } });
      return helloReply({ message: `Hello ${req.name}` });
    },
  });
  return `127.0.0.1:${s.port}`;
};

describe('grpcurl against the rpc server', () => {
  it('lists and describes services through reflection', async () => {
    const addr = await start();
    expect((await run(addr, 'list')).split('\n')).toEqual(
      expect.arrayContaining(['helloworld.v1.Greeter', 'grpc.health.v1.Health']),
    );
    expect(await run(addr, 'describe', 'helloworld.v1.Greeter')).toContain('rpc SayHello');
  });

  it('checks health', async () => {
    const addr = await start();
    expect(JSON.parse(await run(addr, 'grpc.health.v1.Health/Check'))).toEqual({ status: 'SERVING' });
  });

  it('calls a method and shows the Kratos error details', async () => {
    const addr = await start();
    const out = await run('-d', '{"name":"curl"}', addr, 'helloworld.v1.Greeter/SayHello');
    expect(JSON.parse(out)).toEqual({ message: 'Hello curl' });
    const err = await run('-d', '{"name":"bad"}', addr, 'helloworld.v1.Greeter/SayHello').catch((e) => e);
    const text = String(err.stdout) + String(err.stderr);
    expect(text).toContain('InvalidArgument');
    expect(text).toContain('Message: name is bad');
    const value = /"@value": "([^"]+)"/.exec(text)?.[1];
    expect(decodeErrorInfo(Buffer.from(value!, 'base64'))).toEqual({
      reason: 'BAD_NAME',
      domain: '',
      metadata: { field: 'name' },
    });
  });
});
