import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CombinedRun, CombinedSpec } from './combined.ts';

/** The code generators {@link generate} can run. `es` is protoc-gen-es (the messages). */
export type GeneratorName = 'es' | 'http' | 'grpc' | 'errors' | 'openapi';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Root of the .proto files to generate; imports are resolved relative to it. */
  protoDir: string;
  /** Where generated files go (created when missing). */
  outDir: string;
  /** Only these files (paths relative to `protoDir`). Default: every .proto under `protoDir`. */
  files?: readonly string[];
  /** Generators to run. Default: all five. */
  plugins?: readonly GeneratorName[];
  /** Extension of relative imports in generated code. Default `js`. */
  importExtension?: 'js' | 'ts' | 'none';
  /** `ts` (default) or `js+dts`. */
  target?: 'ts' | 'js+dts';
  /**
   * More import roots (e.g. a `third_party/` folder). This package's own `proto/` folder
   * (google/api, errors) is added when none of these roots has `google/api/annotations.proto`.
   */
  includeDirs?: readonly string[];
  /** Extra options per generator, e.g. `{ openapi: ['format=json'] }`. */
  pluginOptions?: Partial<Record<GeneratorName, readonly string[]>>;
  /** Aborts the buf run. */
  signal?: AbortSignal;
}

/** buf failed; `message` is buf's own error output. */
export class GenerateError extends Error {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(message);
    this.stderr = stderr;
  }
  override get name(): string {
    return 'GenerateError';
  }
}

// Junctions need no privileges on Windows; elsewhere a plain directory link.
const LINK_TYPE = process.platform === 'win32' ? 'junction' : 'dir';

const ALL: readonly GeneratorName[] = ['es', 'http', 'grpc', 'errors', 'openapi'];

const here = dirname(fileURLToPath(import.meta.url));
/** Running from src/*.ts (the workspace) or dist/*.js (installed). */
const fromSource = import.meta.url.endsWith('.ts');
const packageRoot = resolve(here, '..');
const require = createRequire(import.meta.url);

/** The folder holding google/api/{annotations,http}.proto and errors/errors.proto. */
export const protoIncludeDir: string = join(packageRoot, 'proto');

/** The command line (argv) that runs one of this package's plugins with the current Node. */
export function pluginCommand(kind: Exclude<GeneratorName, 'es'>): string[] {
  if (fromSource) {
    return [process.execPath, '--conditions=kratos-source', join(packageRoot, 'src', 'bin', `${kind}.ts`)];
  }
  return [process.execPath, join(packageRoot, 'bin', `protoc-gen-kratos-${kind}.js`)];
}

/** The plugin that runs several generators in one process (see runCombined). */
function combinedCommand(): string[] {
  if (fromSource) {
    return [process.execPath, '--conditions=kratos-source', join(packageRoot, 'src', 'bin', 'all.ts')];
  }
  return [process.execPath, join(packageRoot, 'dist', 'bin', 'all.js')];
}

/** The files buf generates: `files` (a folder stands for the protos under it), else all. */
function targetFiles(protoDir: string, files: readonly string[] | undefined): string[] {
  const protosUnder = (dir: string, prefix: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.proto'))
      .map((f) => `${prefix}${f.split(sep).join('/')}`);
  if (files === undefined) return protosUnder(protoDir, '');
  return files.flatMap((f) => {
    const full = join(protoDir, f);
    const name = f.split(sep).join('/').replace(/\/+$/, '');
    return existsSync(full) && statSync(full).isDirectory() ? protosUnder(full, `${name}/`) : [name];
  });
}

/**
 * The environment of buf and the plugin: V8's compile cache on (in the OS temp folder, as Node's
 * own default) unless the user chose otherwise, so the plugin does not compile TypeScript's 9 MB
 * compiler again on every run.
 */
function pluginEnv(): NodeJS.ProcessEnv {
  const env = process.env;
  if (env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined) return env;
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') };
}

/** Path of the buf CLI installed with this package (`@bufbuild/buf`). */
export function bufCommand(): string {
  const pkgJson = require.resolve('@bufbuild/buf/package.json');
  return join(dirname(pkgJson), 'bin', 'buf');
}

function yamlList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/**
 * buf names files inside its temporary workspace (`src/x/v1/a.proto`, `include0/google/...`):
 * put back the folders they are links to, so a message names the file the user has.
 */
function userPaths(text: string, protoDir: string, includeDirs: readonly string[]): string {
  const links: [string, string][] = [
    ['src', protoDir],
    ...includeDirs.map((d, i): [string, string] => [`include${i}`, d]),
  ];
  let out = text;
  for (const [link, dir] of links) {
    out = out.replace(new RegExp(`(^|[\\s"'(])${link}/`, 'gm'), (_m, before: string) => `${before}${dir}/`);
  }
  return out;
}

/**
 * Runs buf with protoc-gen-es and the kratos plugins over `protoDir`, writing into `outDir`.
 * Writes a buf workspace (buf.yaml + buf.gen.yaml, v2) to a temp dir whose modules are links to
 * `protoDir` and the include dirs, so nothing is written next to the user's protos.
 * Rejects with a {@link GenerateError} carrying buf's message when generation fails.
 */
export async function generate(options: GenerateOptions): Promise<void> {
  const protoDir = resolve(options.protoDir);
  const outDir = resolve(options.outDir);
  if (!existsSync(protoDir)) throw new GenerateError(`proto dir ${protoDir} does not exist`, '');
  const plugins = options.plugins ?? ALL;
  const includeDirs = (options.includeDirs ?? []).map((d) => resolve(d));
  const roots = [protoDir, ...includeDirs];
  if (!roots.some((r) => existsSync(join(r, 'google', 'api', 'annotations.proto')))) {
    includeDirs.push(protoIncludeDir);
  }
  const importExtension = options.importExtension ?? 'js';
  const target = options.target ?? 'ts';
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'kratos-protoc-'));
  try {
    await symlink(protoDir, join(work, 'src'), LINK_TYPE);
    const modules = ['src'];
    for (const [i, dir] of includeDirs.entries()) {
      await symlink(dir, join(work, `include${i}`), LINK_TYPE);
      modules.push(`include${i}`);
    }
    await writeFile(
      join(work, 'buf.yaml'),
      `version: v2\nmodules:\n${modules.map((m) => `  - path: ${m}\n`).join('')}`,
    );
    // One plugin process runs every generator (TypeScript loads once, one transpile), with the
    // parameters buf would have given each; `es` also generates the imports (include_imports).
    const runs: CombinedRun[] = plugins.map((kind) => {
      const opt = [`target=${target}`, `import_extension=${importExtension}`];
      if (kind === 'openapi') opt.length = 0;
      opt.push(...(options.pluginOptions?.[kind] ?? []));
      return { kind, parameter: opt.join(',') };
    });
    const spec: CombinedSpec = { runs, targets: targetFiles(protoDir, options.files) };
    const encoded = Buffer.from(JSON.stringify(spec)).toString('base64url');
    const lines = [
      'version: v2',
      'plugins:',
      `  - local: ${yamlList(combinedCommand())}`,
      `    out: ${JSON.stringify(outDir)}`,
      `    opt: ${yamlList([`spec=${encoded}`])}`,
      '    strategy: all',
    ];
    if (plugins.includes('es')) lines.push('    include_imports: true');
    await writeFile(join(work, 'buf.gen.yaml'), `${lines.join('\n')}\n`);
    const args = ['generate', 'src', '--template', 'buf.gen.yaml'];
    for (const f of options.files ?? []) args.push('--path', join('src', f));
    await new Promise<void>((resolvePromise, reject) => {
      execFile(
        bufCommand(),
        args,
        { cwd: work, signal: options.signal, maxBuffer: 64 * 1024 * 1024, env: pluginEnv() },
        (error, _stdout, stderr) => {
          if (!error) {
            resolvePromise();
            return;
          }
          const text = userPaths(String(stderr).trim(), protoDir, includeDirs);
          reject(new GenerateError(`buf generate failed: ${text || error.message}`, String(stderr)));
        },
      );
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
