// Test support: builds a CodeGeneratorRequest for testdata/proto with the real buf CLI, so plugins
// can be run in-process (fast) on exactly what buf would send them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, fromBinary } from '@bufbuild/protobuf';
import {
  type CodeGeneratorRequest,
  CodeGeneratorRequestSchema,
  type FileDescriptorProto,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { bufCommand } from '../src/generate.ts';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const testProtoDir = join(packageDir, 'testdata', 'proto');
export const goldenDir = join(packageDir, 'testdata', 'golden');

let image: FileDescriptorProto[] | undefined;

/** All files of the buf workspace (proto/ + testdata/proto/ + WKTs), with source info. */
export function buildImage(): FileDescriptorProto[] {
  if (image) return image;
  const dir = mkdtempSync(join(tmpdir(), 'kratos-image-'));
  try {
    const out = join(dir, 'image.binpb');
    execFileSync(bufCommand(), ['build', '-o', out], {
      cwd: packageDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    image = fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
    return image;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** .proto paths under a directory, relative to it, sorted. */
export function protoFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.proto')) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(root);
  return out;
}

/** A request to generate the given testdata files (default: all of them). */
export function testRequest(parameter: string, files = protoFiles(testProtoDir)): CodeGeneratorRequest {
  return create(CodeGeneratorRequestSchema, {
    fileToGenerate: files,
    parameter,
    protoFile: buildImage(),
    compilerVersion: { major: 0, minor: 0, patch: 0 },
  });
}
