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

/** The `--conditions` flags of `execArgv`, in both spellings (`--conditions=x`, `--conditions x` / `-C x`). */
export function conditionsOf(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a.startsWith('--conditions=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && i + 1 < execArgv.length) out.push(a, execArgv[++i]!);
  }
  return out;
}

/**
 * The `KRATOS_WORKERS` value for `kratos run --workers N` (a positive integer or `auto`), read by
 * `runCluster` of `@kratos/cluster` in the service's main.
 */
export function workersEnv(workers: string | undefined): Record<string, string> {
  if (workers === undefined) return {};
  if (workers !== 'auto' && !/^[1-9][0-9]*$/.test(workers))
    throw new CliError(`--workers wants a positive integer or "auto", got "${workers}"`, 2);
  return { KRATOS_WORKERS: workers };
}

/**
 * `kratos run [name] [--workers N]`: runs `cmd/<name>/main.ts` with Node's own `--watch`, which
 * restarts it when any file it imports changes (api, internal, configs are watched too). With
 * `--workers`, the service runs on N cores if its main uses `runCluster` (`KRATOS_WORKERS=N`).
 */
export function run(
  args: { name?: string; cwd: string; extra: string[]; workers?: string },
  output: Output,
): Promise<number> {
  const env = workersEnv(args.workers);
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
  const on = args.workers ? ` on ${args.workers} workers` : '';
  output.out(`kratos run: node ${relative(args.cwd, entry)}${on} (restarts on change; Ctrl-C stops)`);
  const child = spawn(process.execPath, [...conditionsOf(process.execArgv), ...nodeArgs], {
    cwd: args.cwd,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 0 : 1))));
}
