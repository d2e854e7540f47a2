import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageDir, testProtoDir } from '../testdata/request.ts';
import { GenerateError, generate } from './generate.ts';

const require = createRequire(import.meta.url);
// Inside the package so that node_modules resolution finds @bufbuild/protobuf, @kratos/* and @grpc/grpc-js.
const outDir = join(packageDir, '.generated', `e2e-${process.pid}`);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function tsc(project: string): Promise<{ code: number; output: string }> {
  const bin = join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '-p', project],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

// buf, five plugins and a full tsc run: slow on a busy two-core machine, hence the long timeout.
describe('generate (real buf generate with protoc-gen-es and the four plugins)', { timeout: 180_000 }, () => {
  it('writes messages, http, grpc, errors and openapi outputs that compile under tsc --strict', async () => {
    await generate({ protoDir: testProtoDir, outDir });
    for (const file of [
      'helloworld/v1/greeter_pb.ts',
      'helloworld/v1/greeter_http.ts',
      'helloworld/v1/greeter_grpc.ts',
      'helloworld/v1/error_reason_pb.ts',
      'helloworld/v1/error_reason_errors.ts',
      'library/v1/library_pb.ts',
      'library/v1/library_http.ts',
      'library/v1/library_grpc.ts',
      // imported option files get their messages too (generated code depends on them)
      'google/api/annotations_pb.ts',
      'errors/errors_pb.ts',
      'openapi.yaml',
    ]) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
    const openapi = readFileSync(join(outDir, 'openapi.yaml'), 'utf8');
    expect(openapi).toContain('operationId: Greeter_SayHello');
    expect(openapi).toContain('operationId: LibraryService_GetBook');
    expect(readFileSync(join(outDir, 'helloworld/v1/greeter_http.ts'), 'utf8')).toContain(
      'from "./greeter_pb.js"',
    );

    // Type-checked against the real @kratos/core, @kratos/http and @kratos/grpc sources, with a
    // service written against the generated interfaces (redirects, streamed downloads, route options).
    copyFileSync(join(packageDir, 'testdata', 'typed', 'http-replies.ts'), join(outDir, 'http-replies.ts'));
    const include = ['**/*.ts'];
    writeFileSync(
      join(outDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          customConditions: ['kratos-source'],
          strict: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(packageDir, 'node_modules', '@types')],
        },
        include,
      }),
    );
    const result = await tsc(join(outDir, 'tsconfig.json'));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('generates only the listed files, and js+dts on request', async () => {
    const dir = join(outDir, 'subset');
    mkdirSync(dir, { recursive: true });
    await generate({
      protoDir: testProtoDir,
      outDir: dir,
      files: ['helloworld/v1/error_reason.proto'],
      plugins: ['es', 'errors'],
      target: 'js+dts',
    });
    expect(existsSync(join(dir, 'helloworld/v1/error_reason_errors.js'))).toBe(true);
    expect(existsSync(join(dir, 'helloworld/v1/error_reason_errors.d.ts'))).toBe(true);
    expect(existsSync(join(dir, 'helloworld/v1/error_reason_pb.js'))).toBe(true);
    expect(existsSync(join(dir, 'helloworld/v1/greeter_pb.js'))).toBe(false);
  });

  it("rejects with buf's error message when a proto does not compile", async () => {
    const bad = join(outDir, 'bad-protos');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'broken.proto'), 'syntax = "proto3";\nmessage Broken { strin name = 1; }\n');
    const err = await generate({ protoDir: bad, outDir: join(outDir, 'bad-out') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).message).toMatch(/broken\.proto.*strin/s);
  });

  it('reports a plugin error (bad annotation) through buf', async () => {
    const bad = join(outDir, 'bad-annotation');
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      join(bad, 'svc.proto'),
      [
        'syntax = "proto3";',
        'package bad.v1;',
        'import "google/api/annotations.proto";',
        'service S { rpc M(Req) returns (Req) { option (google.api.http) = { get: "/v1/{nme}" }; } }',
        'message Req { string name = 1; }',
      ].join('\n'),
    );
    const err = await generate({
      protoDir: bad,
      outDir: join(outDir, 'bad-annotation-out'),
      plugins: ['http'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).message).toContain('path variable {nme}');
  });
});
