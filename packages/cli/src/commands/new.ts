import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { CliError, type Output } from '../errors.ts';
import { templateDir, thirdPartyProtoDir } from '../paths.ts';

/** Options of {@link newProject}. */
export interface NewOptions {
  name: string;
  /** Where to create it. Default: the working directory. */
  cwd?: string;
  /** Another template: a folder, or a git URL cloned with `git clone --depth 1`. */
  repo?: string;
  /** Branch of `repo`. */
  branch?: string;
  /** Add the service inside an existing project (no package.json, tsconfig or third_party of its own). */
  nomod?: boolean;
  /**
   * Link `@kratos/*` dependencies to a kratos-ts checkout instead of the registry: `workspace`
   * writes `workspace:^` (a service inside this monorepo), a path writes `file:<path>/packages/<x>`;
   * scripts then run the linked TypeScript sources with `--conditions=kratos-source`.
   */
  link?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SKIP = new Set(['.git', 'node_modules', 'dist']);
const NOMOD_SKIP = new Set([
  'package.json',
  'tsconfig.json',
  '_gitignore',
  '.gitignore',
  'Dockerfile',
  'README.md',
  'third_party',
]);
const GENERATED = /(_pb\.(js|d\.ts|ts)|_(http|grpc|errors)\.(js|d\.ts|ts)|openapi\.yaml)$/;

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (SKIP.has(entry)) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full));
  }
  return out;
}

function fetchTemplate(repo: string, branch: string | undefined): { dir: string; cleanup: () => void } {
  const local = resolve(repo);
  if (existsSync(local) && statSync(local).isDirectory()) return { dir: local, cleanup: () => {} };
  const tmp = mkdtempSync(join(tmpdir(), 'kratos-template-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--depth', '1', ...(branch ? ['-b', branch] : []), repo, tmp], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const msg = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message)
      .trim()
      .split('\n')
      .pop();
    throw new CliError(`cannot fetch template ${repo}${branch ? `@${branch}` : ''}: ${msg}`);
  }
  return { dir: tmp, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

function rename(text: string, name: string): string {
  const pkg = name.replace(/-/g, '_');
  return text.replace(/helloworld\.v1/g, `${pkg}.v1`).replace(/helloworld/g, name);
}

function linkDependencies(manifest: Record<string, unknown>, link: string): void {
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const deps = manifest[field] as Record<string, string> | undefined;
    if (!deps) continue;
    for (const dep of Object.keys(deps)) {
      if (!dep.startsWith('@kratos/')) continue;
      const folder = dep.slice('@kratos/'.length);
      deps[dep] = link === 'workspace' ? 'workspace:^' : `file:${resolve(link, 'packages', folder)}`;
    }
  }
  // Linked packages are TypeScript sources: run them through the `kratos-source` condition.
  const scripts = manifest.scripts as Record<string, string> | undefined;
  const cli =
    link === 'workspace'
      ? 'node --conditions=kratos-source ../../packages/cli/src/bin/kratos.ts '
      : `node --conditions=kratos-source ${resolve(link, 'packages/cli/src/bin/kratos.ts')} `;
  for (const [name, script] of Object.entries(scripts ?? {})) {
    scripts![name] = script.replace(/^node /, 'node --conditions=kratos-source ').replace(/\bkratos /g, cli);
  }
}

/** `kratos new`: lays out a service from the template. Returns the created files (relative paths). */
export function newProject(options: NewOptions, output: Output): string[] {
  const { name } = options;
  if (!NAME.test(name)) {
    throw new CliError(
      `invalid project name "${name}": use lower-case letters, digits and dashes, starting with a letter`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const target = resolve(cwd, name);
  if (existsSync(target)) throw new CliError(`${target} already exists`);
  if (options.nomod && !existsSync(join(cwd, 'package.json'))) {
    throw new CliError(
      `--nomod adds a service to an existing project, but ${join(cwd, 'package.json')} does not exist`,
    );
  }
  const source = options.repo
    ? fetchTemplate(options.repo, options.branch)
    : { dir: templateDir(), cleanup: () => {} };
  const created: string[] = [];
  try {
    const files = listFiles(source.dir).filter((f) => !GENERATED.test(f));
    if (files.length === 0) throw new CliError(`template ${source.dir} has no files`);
    const write = (rel: string, content: Buffer | string) => {
      const to = join(target, rel);
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, content);
      created.push(rel);
      output.out(`CREATED ${join(name, rel)} (${Buffer.byteLength(content)} bytes)`);
    };
    for (const rel of files) {
      const top = rel.split(/[\\/]/)[0]!;
      if (options.nomod && NOMOD_SKIP.has(top)) continue;
      const outRel = rename(rel, name).replace(/(^|[\\/])_gitignore$/, '$1.gitignore');
      let content: Buffer | string = readFileSync(join(source.dir, rel));
      if (!content.includes(0)) {
        content = rename(content.toString('utf8'), name);
        if (rel === 'tsconfig.json' && options.link) {
          const tsconfig = JSON.parse(content) as { compilerOptions: Record<string, unknown> };
          tsconfig.compilerOptions.customConditions = ['kratos-source'];
          content = `${JSON.stringify(tsconfig, null, 2)}\n`;
        }
        if (rel === 'package.json' && options.link) {
          const manifest = JSON.parse(content) as Record<string, unknown>;
          linkDependencies(manifest, options.link);
          content = `${JSON.stringify(manifest, null, 2)}\n`;
        }
      }
      write(outRel, content);
    }
    if (!options.nomod && !files.some((f) => f.startsWith('third_party'))) {
      const protos = thirdPartyProtoDir();
      for (const rel of listFiles(protos)) write(join('third_party', rel), readFileSync(join(protos, rel)));
    }
  } catch (e) {
    rmSync(target, { recursive: true, force: true });
    throw e;
  } finally {
    source.cleanup();
  }
  output.out('');
  output.out(`🍺 Project creation succeeded ${name}`);
  output.out('💻 Use the following command to start the project 👇:');
  output.out('');
  output.out(`$ cd ${relative(process.cwd(), target) || '.'}`);
  if (options.nomod) {
    output.out(`$ kratos proto client ${name}/api && kratos proto client ${name}/internal/conf`);
    output.out(`$ node ${name}/cmd/${name}/main.ts`);
  } else {
    output.out('$ npm install');
    output.out('$ npm run generate');
    output.out('$ npm start');
  }
  output.out('');
  return created;
}
