import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** One transpiled file: `x.js` or `x.d.ts` of a generated `x.ts`. */
export interface TranspiledFile {
  name: string;
  content: string;
}

/**
 * Transpiled output by input: protoplugin transpiles each generated file on its own (no import
 * resolution, every file a module), so a file's js/d.ts depend only on its TypeScript, its name,
 * the targets and the transpiler. The key holds all of them, protoplugin's and TypeScript's
 * versions included.
 */
export interface TranspileCache {
  key(name: string, body: string, target: string): string;
  get(key: string): TranspiledFile[] | undefined;
  set(key: string, files: readonly TranspiledFile[]): void;
}

function packageVersion(resolved: string, name: string): string {
  let dir = dirname(resolved);
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  throw new Error(`no package.json of ${name} above ${resolved}`);
}

let toolchain: string | undefined;
/** protoplugin's version and that of the TypeScript it transpiles with. */
function transpilerIdentity(): string {
  if (toolchain === undefined) {
    const require = createRequire(import.meta.url);
    const protoplugin = require.resolve('@bufbuild/protoplugin');
    const typescript = createRequire(protoplugin).resolve('typescript');
    toolchain = `protoplugin@${packageVersion(protoplugin, '@bufbuild/protoplugin')} typescript@${packageVersion(typescript, 'typescript')}`;
  }
  return toolchain;
}

/**
 * The cache in `KRATOS_TRANSPILE_CACHE` (a folder; `0` or `off` turns it off), else
 * `$XDG_CACHE_HOME/kratos-ts/transpile` (`~/.cache/kratos-ts/transpile`). A cache that cannot be
 * read or written is a miss, never an error.
 */
export function transpileCache(env: NodeJS.ProcessEnv = process.env): TranspileCache | undefined {
  const setting = env.KRATOS_TRANSPILE_CACHE;
  if (setting === '0' || setting === 'off') return undefined;
  const dir = setting || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kratos-ts', 'transpile');
  const identity = transpilerIdentity();
  const file = (key: string) => join(dir, key.slice(0, 2), `${key}.json`);
  return {
    key(name, body, target) {
      return createHash('sha256')
        .update(JSON.stringify([identity, target, name, body]))
        .digest('hex');
    },
    get(key) {
      try {
        return JSON.parse(readFileSync(file(key), 'utf8')) as TranspiledFile[];
      } catch {
        return undefined;
      }
    },
    set(key, files) {
      try {
        const to = file(key);
        mkdirSync(dirname(to), { recursive: true });
        const tmp = `${to}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(files));
        renameSync(tmp, to);
      } catch {
        // A read-only or full disk: the next run transpiles again.
      }
    },
  };
}
