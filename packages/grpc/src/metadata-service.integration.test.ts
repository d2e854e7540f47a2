// kratos.api.Metadata as Go Kratos' tools call it: grpcurl (a Go gRPC client, the same wire
// format Go Kratos' generated MetadataClient speaks) through reflection, and the TS client.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFileRegistry, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { KratosError } from '@kratos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrpcServer, metadataDefinition } from './index.ts';
import { clientFor, sayHello, startGreeter } from './testdata/harness.ts';

const grpcurl = [
  process.env.GRPCURL,
  join(process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts'), 'bin/grpcurl'),
  join(homedir(), 'go/bin/grpcurl'),
].find((p): p is string => p !== undefined && existsSync(p));
if (grpcurl === undefined) throw new Error('grpcurl is not installed: run scripts/install-tools.sh');

describe('kratos.api.Metadata on the gRPC server', () => {
  let server: GrpcServer;
  let addr: string;
  const run = (...args: string[]) =>
    promisify(execFile)(grpcurl!, ['-plaintext', ...args], { timeout: 20_000 }).then((r) => r.stdout);

  beforeAll(async () => {
    server = await startGreeter({ SayHello: sayHello });
    addr = `127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  it('lists every service and its methods (grpcurl)', async () => {
    const reply = JSON.parse(await run(addr, 'kratos.api.Metadata/ListServices')) as {
      services: string[];
      methods: string[];
    };
    expect(reply.services.sort()).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'helloworld.v1.Greeter',
      'kratos.api.Metadata',
    ]);
    expect(reply.methods).toEqual(
      expect.arrayContaining([
        '/helloworld.v1.Greeter/SayHello',
        '/helloworld.v1.Greeter/StreamHellos',
        '/kratos.api.Metadata/GetServiceDesc',
        '/grpc.health.v1.Health/Check',
      ]),
    );
  });

  it("returns a service's FileDescriptorSet, imports first, that builds a registry (grpcurl)", async () => {
    const reply = JSON.parse(
      await run('-d', '{"name":"helloworld.v1.Greeter"}', addr, 'kratos.api.Metadata/GetServiceDesc'),
    ) as { fileDescSet: JsonValue };
    const set = fromJson(FileDescriptorSetSchema, reply.fileDescSet);
    expect(set.file.map((f) => f.name)).toEqual([
      'google/protobuf/timestamp.proto',
      'helloworld/v1/greeter.proto',
    ]);
    const registry = createFileRegistry(set);
    expect(registry.getService('helloworld.v1.Greeter')?.methods.map((m) => m.name)).toContain('SayHello');
  });

  it('describes itself through reflection as Go Kratos ships it (grpcurl describe)', async () => {
    const out = await run(addr, 'describe', 'kratos.api.Metadata');
    expect(out).toContain(
      'rpc GetServiceDesc ( .kratos.api.GetServiceDescRequest ) returns ( .kratos.api.GetServiceDescReply )',
    );
    expect(await run(addr, 'describe', 'kratos.api.GetServiceDescReply')).toContain(
      '.google.protobuf.FileDescriptorSet file_desc_set = 1',
    );
  });

  it('answers NOT_FOUND for an unknown service, from the TypeScript client too', async () => {
    const client = clientFor(server);
    try {
      const list = await client.unary(metadataDefinition.ListServices, {});
      expect(list.services).toContain('kratos.api.Metadata');
      const err = await client.unary(metadataDefinition.GetServiceDesc, { name: 'no.Such' }).catch((e) => e);
      expect(KratosError.is(err) && err.code).toBe(404);
      expect((err as KratosError).message).toBe('service no.Such not found');
    } finally {
      await client.close();
    }
  });

  it("speaks Go Kratos' wire format: grpcurl with the Go service's proto instead of reflection", async () => {
    const proto = [
      '-import-path',
      join(import.meta.dirname, 'testdata/kratos-metadata'),
      '-proto',
      'metadata.proto',
    ];
    const list = JSON.parse(await run(...proto, addr, 'kratos.api.Metadata/ListServices')) as {
      services: string[];
    };
    expect(list.services).toContain('helloworld.v1.Greeter');
    const desc = JSON.parse(
      await run(...proto, '-d', '{"name":"kratos.api.Metadata"}', addr, 'kratos.api.Metadata/GetServiceDesc'),
    ) as { fileDescSet: JsonValue };
    const set = fromJson(FileDescriptorSetSchema, desc.fileDescSet);
    expect(set.file.map((f) => f.name)).toEqual([
      'google/protobuf/descriptor.proto',
      'metadata/metadata.proto',
    ]);
    expect(set.file[1]!.package).toBe('kratos.api');
  });

  it('is left out with metadata: false', async () => {
    const plain = await startGreeter({ SayHello: sayHello }, { metadata: false });
    try {
      expect(await run(`127.0.0.1:${plain.port}`, 'list')).not.toContain('kratos.api.Metadata');
    } finally {
      await plain.stop();
    }
  });
});
