import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CliError, type Output } from '../errors.ts';

/** Finds the service entries: `cmd/<name>/main.ts` (or `.js`). */
export function findEntries(root: string): string[] {
  const cmd = join(root, 'cmd');
  if (!existsSync(cmd)) return [];
  return readdirSync(cmd)
    .map((d) => ['main.ts', 'main.js'].map((f) => join(cmd, d, f)).find((f) => existsSync(f)))
    .filter((f): f is string => f !== undefined && statSync(f).isFile());
}

/**
 * `kratos run [name]`: runs `cmd/<name>/main.ts` with Node's own `--watch`, which restarts it when
 * any file it imports changes (api, internal, configs are watched too).
 */
export function run(args: { name?: string; cwd: string; extra: string[] }, output: Output): Promise<number> {
  const entries = findEntries(args.cwd);
  if (entries.length === 0)
    throw new CliError(`no service entry found: want ${join(resolve(args.cwd), 'cmd', '<name>', 'main.ts')}`);
  let entry = entries[0]!;
  if (args.name) {
    const hit = entries.find((e) => e.split(/[\\/]/).slice(-2, -1)[0] === args.name);
    if (!hit)
      throw new CliError(
        `no service "${args.name}" in ${join(args.cwd, 'cmd')}: have ${entries.map((e) => e.split(/[\\/]/).slice(-2, -1)[0]).join(', ')}`,
      );
    entry = hit;
  } else if (entries.length > 1) {
    throw new CliError(
      `several services in cmd/: ${entries.map((e) => e.split(/[\\/]/).slice(-2, -1)[0]).join(', ')}; name one: kratos run <name>`,
    );
  }
  const watch = ['api', 'internal', 'configs']
    .filter((d) => existsSync(join(args.cwd, d)))
    .flatMap((d) => ['--watch-path', join(args.cwd, d)]);
  const nodeArgs = ['--watch', ...watch, '--watch-path', join(args.cwd, 'cmd'), entry, ...args.extra];
  output.out(`kratos run: node ${relative(args.cwd, entry)} (restarts on change; Ctrl-C stops)`);
  const child = spawn(
    process.execPath,
    [...process.execArgv.filter((a) => a.startsWith('--conditions')), ...nodeArgs],
    {
      cwd: args.cwd,
      stdio: 'inherit',
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 0 : 1))));
}
