// Child processes of the harness: start pinned to a CPU, wait until the port accepts, read the
// process' RSS and CPU time from /proc, stop within a bound.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks

/** A free loopback port (bind 0, read, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * Spawns `cmd args` (pinned with taskset when `cpu` is a number) and resolves once `port`
 * accepts connections, with the ms it took. Rejects with the process' output when it exits first
 * or `timeoutMs` passes; `skipped` is set when it exited with `skipExit`.
 */
export async function startServer({ cmd, args, cwd, env, port, cpu, timeoutMs = 30_000, skipExit = 78 }) {
  const argv = typeof cpu === 'number' ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const child = spawn(argv[0], argv[1], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const proc = {
    child,
    pid: child.pid,
    port,
    get output() {
      return output;
    },
    get exited() {
      return exited;
    },
    stop: () => stopProcess(child),
  };
  const deadline = t0 + timeoutMs;
  while (performance.now() < deadline) {
    if (exited) {
      const err = new Error(
        `exited (${exited.code ?? exited.signal}) before listening: ${output.trim().split('\n').slice(-3).join(' | ')}`,
      );
      err.skipped = exited.code === skipExit;
      err.output = output;
      throw err;
    }
    if (await accepts(port)) return { proc, startMs: performance.now() - t0 };
    await sleep(3);
  }
  await proc.stop();
  throw new Error(`not listening on ${port} after ${timeoutMs} ms: ${output.trim().slice(-300)}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

/** Resident set size in MB, or NaN when the process is gone. */
export function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** User + system CPU seconds the process has used. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
  } catch {
    return Number.NaN;
  }
}

/** Samples RSS every `everyMs` until stopped; `stop()` returns the peak. */
export function sampleRss(pid, everyMs = 200) {
  let peak = rssMB(pid);
  const t = setInterval(() => {
    const v = rssMB(pid);
    if (v > peak || Number.isNaN(peak)) peak = v;
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      const v = rssMB(pid);
      return Math.max(peak, Number.isNaN(v) ? 0 : v);
    },
  };
}

/** Runs a command to completion (bounded), resolving { code, stdout, stderr }. */
export function run(cmd, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-20_000);
    });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(t);
      resolve({ code: -1, stdout, stderr: String(err.message) });
    });
    child.once('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr });
    });
  });
}

/** Whether `name` is an executable on PATH. */
export async function have(name) {
  return (await run('sh', ['-c', `command -v ${name}`])).code === 0;
}
