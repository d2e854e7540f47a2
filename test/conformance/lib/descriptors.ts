// Services described at run time: a FileDescriptorSet (made by scripts/install-conformance.sh)
// turned into protobuf-es descriptors and the grpc-js ServiceDefinition that generated code
// would pass to registerService.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  createFileRegistry,
  type DescService,
  type FileRegistry,
  fromBinary,
  toBinary,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** Where install-conformance.sh puts binaries and descriptor sets. */
export const cacheDir = process.env.KRATOS_CACHE ?? join(homedir(), '.cache', 'kratos-ts');
export const binDir = join(cacheDir, 'bin');
export const descriptorDir = join(cacheDir, 'conformance');

/** Reads a descriptor set from the cache (`name.binpb`). */
export function loadRegistry(name: string): FileRegistry {
  const path = join(descriptorDir, `${name}.binpb`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`${path} missing: run scripts/install-conformance.sh`);
  }
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
}

/** The grpc-js definition of `service`, keyed by method name, with protobuf-es serializers. */
export function definitionOf(service: DescService): ServiceDefinition {
  const out: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    out[m.name] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming',
      responseStream: m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming',
      requestSerialize: (v) => Buffer.from(toBinary(m.input, v as never)),
      requestDeserialize: (b) => fromBinary(m.input, b),
      responseSerialize: (v) => Buffer.from(toBinary(m.output, v as never)),
      responseDeserialize: (b) => fromBinary(m.output, b),
      originalName: m.localName,
    };
  }
  return out;
}
