// kratos.api.Metadata on @kratos/rpc: the same service as @kratos/grpc's (Go Kratos registers it on
// every gRPC server), here also reachable over Connect JSON.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { metadataDefinition } from '@kratos/grpc';
import { describe, expect, it } from 'vitest';
import { rpcFixture } from './testdata/harness.ts';

const grpcurl = [
  process.env.GRPCURL,
  join(process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts'), 'bin/grpcurl'),
  join(homedir(), 'go/bin/grpcurl'),
].find((p): p is string => p !== undefined && existsSync(p));
if (grpcurl === undefined) throw new Error('grpcurl is not installed: run scripts/install-tools.sh');

const { server, grpcClient } = rpcFixture();
const run = (...args: string[]) =>
  promisify(execFile)(grpcurl!, ['-plaintext', ...args], { timeout: 20_000 }).then((r) => r.stdout);
// Go Kratos' service, from a proto of its own (not from our server's reflection).
const goProto = [
  '-import-path',
  join(import.meta.dirname, '../../grpc/src/testdata/kratos-metadata'),
  '-proto',
  'metadata.proto',
];

describe('kratos.api.Metadata on the rpc server', () => {
  it("lists services and returns a service's FileDescriptorSet to grpcurl with Go's proto", async () => {
    const s = await server();
    const addr = `127.0.0.1:${s.port}`;
    const list = JSON.parse(await run(...goProto, addr, 'kratos.api.Metadata/ListServices')) as {
      services: string[];
      methods: string[];
    };
    expect(list.services).toEqual(
      expect.arrayContaining(['helloworld.v1.Greeter', 'kratos.api.Metadata', 'grpc.health.v1.Health']),
    );
    expect(list.methods).toContain('/helloworld.v1.Greeter/SayHello');
    const desc = JSON.parse(
      await run(
        ...goProto,
        '-d',
        '{"name":"helloworld.v1.Greeter"}',
        addr,
        'kratos.api.Metadata/GetServiceDesc',
      ),
    ) as { fileDescSet: JsonValue };
    const set = fromJson(FileDescriptorSetSchema, desc.fileDescSet);
    expect(set.file.map((f) => f.name)).toEqual([
      'google/protobuf/timestamp.proto',
      'helloworld/v1/greeter.proto',
    ]);
  });

  it('answers over Connect JSON and the gRPC client; NOT_FOUND for an unknown service', async () => {
    const s = await server();
    const res = await fetch(`http://127.0.0.1:${s.port}/kratos.api.Metadata/ListServices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { services: string[] }).services).toContain('helloworld.v1.Greeter');
    const err = await grpcClient(s)
      .unary(metadataDefinition.GetServiceDesc, { name: 'no.Such' })
      .catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(404);
  });

  it('is left out with metadata: false', async () => {
    const s = await server(undefined, { metadata: false });
    expect(await run(`127.0.0.1:${s.port}`, 'list')).not.toContain('kratos.api.Metadata');
  });
});
