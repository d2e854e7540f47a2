// Test servers in child processes, for tests that SIGKILL one (client failover under a crash).
// The script prints `port <n>` once it listens and `got <name>` for each call its handler sees;
// it takes its id and port (0: any free one) as arguments and runs with the kratos-source
// condition, so workspace packages load from source.
import { type ChildProcess, spawn } from 'node:child_process';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach } from 'vitest';

/** A test server running in a child process. */
export interface ChildServer {
  readonly id: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Names of the calls that reached its handler (`got <name>` lines). */
  readonly got: Set<string>;
  /** Resolves once the process has exited (a killed one included). */
  readonly exited: Promise<void>;
}

/** Starts `script` (a TypeScript file) in a child Node process; resolves once it listens. */
export function startChildServer(script: string, id: string, port = 0): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--conditions=kratos-source', script, id, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const got = new Set<string>();
  let stderr = '';
  let pending = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      pending += d.toString();
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith('got ')) got.add(line.slice(4));
        else if (line.startsWith('port ')) resolve({ id, port: Number(line.slice(5)), child, got, exited });
        nl = pending.indexOf('\n');
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} ${id} exited before listening (${code ?? signal}): ${stderr}`)),
    );
  });
}

/**
 * Starts child servers of `script` for a test file's tests and kills every one a test started
 * after it (call once, at the top of a file).
 */
export function childServers(script: string): (id: string, port?: number) => Promise<ChildServer> {
  const started: ChildServer[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
  });
  return async (id: string, port = 0): Promise<ChildServer> => {
    const p = await startChildServer(script, id, port);
    started.push(p);
    return p;
  };
}

/** One call made by {@link driveAcrossKill}. */
export interface CallRecord {
  name: string;
  /** before the kill, between the kill and the exit being seen, after it. */
  phase: 'before' | 'window' | 'after';
  /** Started before the kill and not finished when it was sent. */
  inFlightAtKill: boolean;
  reply?: string;
  error?: unknown;
}

/**
 * Calls, `concurrency` at a time: when the call about to start is number `killAt` or later and
 * `ready()` says so (e.g. the victim has served enough calls), `kill()` runs and the calls then
 * running are marked in flight; calls go on until `after` calls have started after `kill()`
 * resolved (so the count does not depend on how long the kill took). Returns every call's record.
 */
export async function driveAcrossKill(options: {
  killAt: number;
  ready?: () => boolean;
  after: number;
  concurrency: number;
  kill: () => Promise<void>;
  call: (name: string) => Promise<string>;
}): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  const running = new Set<CallRecord>();
  let next = 0;
  let afterStarted = 0;
  let phase: CallRecord['phase'] = 'before';
  let killed: Promise<void> | undefined;
  const worker = async () => {
    while (phase !== 'after' || afterStarted < options.after) {
      if (phase === 'before' && next > options.killAt + 10_000) throw new Error('never ready to kill');
      const i = next++;
      if (phase === 'before' && i >= options.killAt && (options.ready?.() ?? true)) {
        for (const r of running) r.inFlightAtKill = true;
        phase = 'window';
        killed = options.kill().then(() => {
          phase = 'after';
        });
      }
      if (phase === 'after') afterStarted++;
      const rec: CallRecord = { name: `c${i}`, phase, inFlightAtKill: false };
      records.push(rec);
      running.add(rec);
      try {
        rec.reply = await options.call(rec.name);
      } catch (e) {
        rec.error = e;
      } finally {
        running.delete(rec);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await killed;
  return records;
}

/** SIGKILL, then wait for the exit and one more turn of the event loop (socket events of that poll). */
export async function sigkill(p: ChildServer): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
  await nextTurn();
}
