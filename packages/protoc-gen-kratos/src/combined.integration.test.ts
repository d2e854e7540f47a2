import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const DEMO_PROTO = [
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
].join('\n');

/** The request buf sends for one proto file `svc.proto` with `source`. */
function bufRequest(source: string): CodeGeneratorRequest {
  const dir = mkdtempSync(join(tmpdir(), 'kratos-combined-'));
  try {
    writeFileSync(join(dir, 'svc.proto'), source);
    execFileSync(bufCommand(), ['build', '-o', 'image.binpb'], { cwd: dir, stdio: 'pipe' });
    const image = fromBinary(FileDescriptorSetSchema, readFileSync(join(dir, 'image.binpb')));
    return create(CodeGeneratorRequestSchema, { fileToGenerate: ['svc.proto'], protoFile: image.file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    const combined = runCombined(request, { runs, cache: false });
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
    const request = bufRequest(DEMO_PROTO);
    const parameter = 'target=ts+js+dts,import_extension=js,ts_nocheck=true';
    const combined = runCombined(request, { runs: [{ kind: 'grpc', parameter }], cache: false });
    const out = files(combined);
    expect(Object.keys(out)).toEqual(['svc_grpc.d.ts', 'svc_grpc.js', 'svc_grpc.ts']);
    expect(out['svc_grpc.js']).toContain('// Package comment,\n// two lines.\n\n');
    expect(out['svc_grpc.js']).toContain(`with parameter "${parameter}"`);
    expect(out).toEqual(separately(request, [[grpcPlugin, parameter]]));
  });

  it('takes js and d.ts from the transpile cache for an unchanged file, and transpiles a changed one', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'kratos-transpile-cache-'));
    const saved = process.env.KRATOS_TRANSPILE_CACHE;
    process.env.KRATOS_TRANSPILE_CACHE = cacheDir;
    const entries = () =>
      readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    try {
      const spec = { runs: [{ kind: 'grpc' as const, parameter: 'target=js+dts,import_extension=js' }] };
      const request = bufRequest(DEMO_PROTO);
      const first = files(runCombined(request, spec));
      expect(entries()).toHaveLength(1);
      // What the cache holds is what comes out: mark the cached js, and the next run shows it.
      const entry = join(cacheDir, entries()[0]!);
      const cached = JSON.parse(readFileSync(entry, 'utf8')) as { name: string; content: string }[];
      expect(cached.map((f) => f.name).sort()).toEqual(['svc_grpc.d.ts', 'svc_grpc.js']);
      writeFileSync(
        entry,
        JSON.stringify(cached.map((f) => ({ ...f, content: `${f.content}// from the cache\n` }))),
      );
      const second = files(runCombined(request, spec));
      expect(second['svc_grpc.js']).toBe(`${first['svc_grpc.js']}// from the cache\n`);
      expect(files(runCombined(request, { ...spec, cache: false }))).toEqual(first);
      // A changed proto changes the generated TypeScript: a miss, transpiled and stored.
      const changed = files(
        runCombined(bufRequest(DEMO_PROTO.replace('rpc Say(Msg)', 'rpc Shout(Msg)')), spec),
      );
      expect(changed['svc_grpc.js']).toContain('shout');
      expect(changed['svc_grpc.js']).not.toContain('// from the cache');
      expect(entries()).toHaveLength(2);
    } finally {
      if (saved === undefined) delete process.env.KRATOS_TRANSPILE_CACHE;
      else process.env.KRATOS_TRANSPILE_CACHE = saved;
      rmSync(cacheDir, { recursive: true, force: true });
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
