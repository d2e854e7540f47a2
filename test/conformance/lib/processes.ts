// Starting the peers: the install script (warm: instant), TypeScript servers as child processes.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');

/** Builds the Go peers and descriptor sets into the cache (nothing to do when warm). */
export function installPeers(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(repoRoot, 'scripts', 'install-conformance.sh')],
      { timeout: 900_000 },
      (err, _out, stderr) =>
        err ? reject(new Error(`install-conformance.sh failed: ${stderr || err.message}`)) : resolve(),
    );
  });
}

/** A TypeScript program run on Node with the workspace's source condition. */
export function spawnTs(script: string, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--conditions=kratos-source', join(here, '..', script), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The first stdout line of `child` (its port), or the error output if it exits first. */
export async function firstLine(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
}

/** Stops a child and waits for it to exit. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Runs a binary; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(
  bin: string,
  args: string[],
  timeout: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
