import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from '../errors.ts';

/** The tool packages `kratos upgrade` moves to their latest release. */
export const TOOL_PACKAGES = [
  '@kratos/cli',
  '@kratos/protoc-gen-kratos',
  '@bufbuild/buf',
  '@bufbuild/protoc-gen-es',
];

/** The install command for the project's package manager (pnpm when it has a pnpm lockfile, else npm). */
export function upgradeCommand(cwd: string): string[] {
  const pnpm = existsSync(join(cwd, 'pnpm-lock.yaml'));
  const pkgs = TOOL_PACKAGES.map((p) => `${p}@latest`);
  return pnpm ? ['pnpm', 'add', '-D', ...pkgs] : ['npm', 'install', '--save-dev', ...pkgs];
}

/** `kratos upgrade [--dry-run]`. */
export function upgrade(cwd: string, dryRun: boolean, output: Output): void {
  const cmd = upgradeCommand(cwd);
  output.out(`$ ${cmd.join(' ')}`);
  if (dryRun) return;
  execFileSync(cmd[0]!, cmd.slice(1), { cwd, stdio: 'inherit' });
}
