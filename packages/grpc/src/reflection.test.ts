import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { type ReflectionResponse, reflectionDefinition, reflectionV1AlphaDefinition } from './index.ts';
import { clientFor, fromArray, greeterFixture } from './testdata/harness.ts';

const { cleanup, server: started } = greeterFixture();

describe('reflection', () => {
  for (const [name, def] of [
    ['v1', reflectionDefinition],
    ['v1alpha', reflectionV1AlphaDefinition],
  ] as const) {
    it(`${name}: lists services and serves the file of a symbol with its dependencies`, async () => {
      const server = await started();
      const client = clientFor(server);
      cleanup(() => client.close());
      const reqs = fromArray([
        { host: '', listServices: '', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'helloworld.v1.Greeter', raw: new Uint8Array() },
        { host: '', fileByFilename: 'google/protobuf/timestamp.proto', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'helloworld.v1.HelloRequest.name', raw: new Uint8Array() },
        { host: '', fileContainingSymbol: 'no.Such', raw: new Uint8Array() },
      ]);
      const out: ReflectionResponse[] = [];
      for await (const r of client.bidiStream(def.ServerReflectionInfo, reqs)) out.push(r);
      expect(out).toHaveLength(5);
      expect(out[0]!.services!.sort()).toEqual([
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'helloworld.v1.Greeter',
        'kratos.api.Metadata',
      ]);
      const files = out[1]!.fileDescriptorProtos!.map((b) => fromBinary(FileDescriptorProtoSchema, b));
      expect(files.map((f) => f.name)).toEqual([
        'helloworld/v1/greeter.proto',
        'google/protobuf/timestamp.proto',
      ]);
      expect(files[0]!.service[0]!.method.map((m) => m.name)).toEqual([
        'SayHello',
        'StreamHellos',
        'CollectHellos',
        'Chat',
      ]);
      expect(fromBinary(FileDescriptorProtoSchema, out[2]!.fileDescriptorProtos![0]!).name).toBe(
        'google/protobuf/timestamp.proto',
      );
      expect(fromBinary(FileDescriptorProtoSchema, out[3]!.fileDescriptorProtos![0]!).name).toBe(
        'helloworld/v1/greeter.proto',
      );
      expect(out[4]!.error?.code).toBe(status.NOT_FOUND);
    });
  }
});
