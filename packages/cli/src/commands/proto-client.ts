import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
// The generate entry alone: the package's main entry also loads the plugins (and TypeScript).
import { generate } from '@kratos/protoc-gen-kratos/generate';
import { CliError, type Output } from '../errors.ts';

/** Every `.proto` under a folder (or the file itself). */
export function listProtos(target: string): string[] {
  if (!statSync(target).isDirectory()) return target.endsWith('.proto') ? [target] : [];
  return readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.proto') && !f.split(/[\\/]/).includes('node_modules'))
    .sort()
    .map((f) => join(target, f));
}

/** The project root of a path: the nearest folder up with `third_party/` or `package.json`. */
export function projectRoot(from: string): string {
  let dir = statSync(from).isDirectory() ? from : dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'third_party')) || existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return statSync(from).isDirectory() ? from : dirname(from);
    dir = up;
  }
}

/**
 * `kratos proto client <file or folder>`: runs buf with protoc-gen-es and the kratos generators
 * (http, grpc, errors, openapi) over the protos. As in kratos-layout's Makefile, the proto root is
 * the top folder of the path inside the project (`api` for `api/helloworld/v1`, `internal` for
 * `internal/conf`), `third_party/` is on the import path, and code lands next to each proto as
 * JavaScript with `.d.ts` types, so Node runs it as is.
 */
export async function protoClient(path: string, cwd: string, output: Output): Promise<void> {
  const target = resolve(cwd, path);
  if (!existsSync(target)) throw new CliError(`no such proto file or folder: ${target}`);
  const files = listProtos(target);
  if (files.length === 0) throw new CliError(`no .proto files in ${target}`);
  const root = projectRoot(target);
  const top = relative(root, target).split(/[\\/]/)[0];
  if (!top || top === '..')
    throw new CliError(`${target} is not inside a project folder such as api/ or internal/`);
  const protoDir = join(root, top);
  const thirdParty = join(root, 'third_party');
  output.out(`generating ${files.length} proto file(s) under ${relative(cwd, target) || '.'} ...`);
  try {
    await generate({
      protoDir,
      outDir: protoDir,
      files: files.map((f) => relative(protoDir, f)),
      includeDirs: existsSync(thirdParty) ? [thirdParty] : [],
      target: 'js+dts',
      importExtension: 'js',
    });
  } catch (e) {
    // Paths as the user wrote them: relative to the working directory.
    const message = (e as Error).message.trim().replaceAll(`${resolve(cwd)}${sep}`, '');
    throw new CliError(`code generation failed: ${message}`);
  }
  for (const f of files) output.out(`GENERATED code for ${relative(cwd, f)}`);
}
