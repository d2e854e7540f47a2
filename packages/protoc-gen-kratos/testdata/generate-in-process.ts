// Test support: generates messages (protoc-gen-es) and kratos code for testdata/proto in-process,
// into a folder inside the package so node_modules resolution finds @bufbuild/*, @kratos/*.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from '@bufbuild/protoplugin';
import { errorsPlugin } from '../src/errors-plugin.ts';
import { grpcPlugin } from '../src/grpc-plugin.ts';
import { httpPlugin } from '../src/http-plugin.ts';
import { protoFiles, testProtoDir, testRequest } from './request.ts';

const require = createRequire(import.meta.url);

/** Writes *_pb.ts, *_http.ts, *_grpc.ts and *_errors.ts for every testdata proto into `outDir`. */
export function generateInProcess(outDir: string): void {
  const { protocGenEs } = require('@bufbuild/protoc-gen-es/dist/cjs/src/protoc-gen-es-plugin.js') as {
    protocGenEs: Plugin;
  };
  const all = [
    'google/api/http.proto',
    'google/api/annotations.proto',
    'errors/errors.proto',
    ...protoFiles(testProtoDir),
  ];
  const runs: [Plugin, string[]][] = [
    [protocGenEs, all],
    [httpPlugin, protoFiles(testProtoDir)],
    [grpcPlugin, protoFiles(testProtoDir)],
    [errorsPlugin, protoFiles(testProtoDir)],
  ];
  for (const [plugin, files] of runs) {
    const res = plugin.run(testRequest('target=ts,import_extension=js', files));
    if (res.error) throw new Error(`${plugin.name}: ${res.error}`);
    for (const f of res.file) {
      const path = join(outDir, f.name ?? '');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content ?? '');
    }
  }
}
