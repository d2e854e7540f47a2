import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary } from '@bufbuild/protobuf';
import {
  type CodeGeneratorRequest,
  CodeGeneratorRequestSchema,
  type CodeGeneratorResponse,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import type { Plugin } from '@bufbuild/protoplugin';
import { describe, expect, it } from 'vitest';
import { protoFiles, testProtoDir, testRequest } from '../testdata/request.ts';
import { type CombinedRun, runCombined } from './combined.ts';
import { errorsPlugin } from './errors-plugin.ts';
import { bufCommand } from './generate.ts';
import { grpcPlugin } from './grpc-plugin.ts';
import { httpPlugin } from './http-plugin.ts';

const files = (res: CodeGeneratorResponse) =>
  Object.fromEntries(
    res.file.map((f) => [f.name, f.content] as const).sort(([a], [b]) => a.localeCompare(b)),
  );

/** What buf got when it ran each generator in its own process (a fresh plugin per run). */
function separately(request: CodeGeneratorRequest, runs: [Plugin, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [plugin, parameter] of runs) {
    const res = plugin.run({ ...request, parameter });
    expect(res.error ?? '').toBe('');
    Object.assign(out, files(res));
  }
  return out;
}

describe('runCombined', { timeout: 120_000 }, () => {
  it('writes the same js and d.ts files as http, grpc and errors run one by one', () => {
    const parameter = 'target=js+dts,import_extension=js';
    const request = testRequest('', protoFiles(testProtoDir));
    const runs: CombinedRun[] = [
      { kind: 'http', parameter },
      { kind: 'grpc', parameter },
      { kind: 'errors', parameter },
    ];
    // Combined first: protoplugin keeps a plugin object's transpile flag once it ran js+dts.
    const combined = runCombined(request, { runs });
    expect(combined.error ?? '').toBe('');
    const names = Object.keys(files(combined));
    expect(names).toContain('helloworld/v1/greeter_http.js');
    expect(names).toContain('helloworld/v1/greeter_grpc.d.ts');
    expect(names).toContain('helloworld/v1/error_reason_errors.d.ts');
    expect(names.some((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))).toBe(false);
    expect(files(combined)).toEqual(
      separately(request, [
        [httpPlugin, parameter],
        [grpcPlugin, parameter],
        [errorsPlugin, parameter],
      ]),
    );
  });

  it('keeps syntax and package comments, ts_nocheck and ts next to js', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kratos-combined-'));
    try {
      writeFileSync(
        join(dir, 'svc.proto'),
        [
          '// Syntax comment.',
          'syntax = "proto3";',
          '',
          '// Detached package comment.',
          '',
          '// Package comment,',
          '// two lines.',
          'package demo.v1;',
          '',
          'service Echo { rpc Say(Msg) returns (Msg); }',
          'message Msg { string text = 1; }',
          '',
        ].join('\n'),
      );
      execFileSync(bufCommand(), ['build', '-o', 'image.binpb'], { cwd: dir, stdio: 'pipe' });
      const image = fromBinary(FileDescriptorSetSchema, readFileSync(join(dir, 'image.binpb')));
      const request = create(CodeGeneratorRequestSchema, {
        fileToGenerate: ['svc.proto'],
        protoFile: image.file,
      });
      const parameter = 'target=ts+js+dts,import_extension=js,ts_nocheck=true';
      const combined = runCombined(request, { runs: [{ kind: 'grpc', parameter }] });
      const out = files(combined);
      expect(Object.keys(out)).toEqual(['svc_grpc.d.ts', 'svc_grpc.js', 'svc_grpc.ts']);
      expect(out['svc_grpc.js']).toContain('// Package comment,\n// two lines.\n\n');
      expect(out['svc_grpc.js']).toContain(`with parameter "${parameter}"`);
      expect(out).toEqual(separately(request, [[grpcPlugin, parameter]]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generates imports for es only when targets are given, and names the generator of an error', () => {
    const request = testRequest('', ['helloworld/v1/greeter.proto', 'google/api/http.proto']);
    const res = runCombined(request, {
      runs: [
        { kind: 'es', parameter: 'target=ts' },
        { kind: 'grpc', parameter: 'target=ts' },
      ],
      targets: ['helloworld/v1/greeter.proto'],
    });
    expect(Object.keys(files(res)).sort()).toEqual([
      'google/api/http_pb.ts',
      'helloworld/v1/greeter_grpc.ts',
      'helloworld/v1/greeter_pb.ts',
    ]);
    expect(() => runCombined(request, { runs: [{ kind: 'grpc', parameter: 'nope=1' }] })).toThrow(
      /protoc-gen-kratos-grpc: .*nope/,
    );
  });
});
