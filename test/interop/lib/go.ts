import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServiceInstance, Watcher } from '@kratos/core';
import { createWatchChannel } from '@kratos/core/adapter';
import { nextMatching } from '@kratos/testkit';

/** Which Go Kratos major version the fixture is built against. */
export type GoFlavour = 'v2' | 'v3';

const buildScript = fileURLToPath(new URL('../build.sh', import.meta.url));

/**
 * Builds (or finds up to date) the Go fixture and resolves its binary's path. A cold build
 * downloads modules and compiles Go Kratos (minutes); a warm one returns at once.
 */
export function buildGo(flavour: GoFlavour): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [buildScript, flavour],
      { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`build.sh ${flavour} failed: ${err.message}\n${String(stderr).slice(-3000)}`));
          return;
        }
        const path = String(stdout).trim().split('\n').pop();
        if (!path) reject(new Error(`build.sh ${flavour} printed no path`));
        else resolve(path);
      },
    );
  });
}

/** A JSON line printed by the fixture. */
export type GoLine = Record<string, unknown>;

/** A long-running fixture process (serve or watch) whose JSON lines can be awaited. */
export interface GoProcess {
  readonly child: ChildProcess;
  /** Every JSON line so far, in order. */
  readonly lines: GoLine[];
  /** Resolves the first line (seen or future) that satisfies `predicate`; rejects after `timeoutMs` or on exit. */
  waitLine(predicate: (line: GoLine) => boolean, timeoutMs?: number): Promise<GoLine>;
  /** Sends a signal and resolves the exit code. */
  signal(sig: NodeJS.Signals): Promise<number | null>;
  /** Closes stdin (the fixture stops and deregisters), SIGKILL after `graceMs`; resolves the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

function startProcess(bin: string, args: string[], onLine?: (line: GoLine) => void): GoProcess {
  // stdin is a pipe the fixture watches: if this test process dies, the fixture stops too.
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: GoLine[] = [];
  const waiters = new Set<{ pred: (l: GoLine) => boolean; resolve: (l: GoLine) => void }>();
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: GoLine;
    try {
      line = JSON.parse(text) as GoLine;
    } catch {
      return;
    }
    lines.push(line);
    onLine?.(line);
    for (const w of waiters) {
      if (w.pred(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  // 'close', not 'exit': it comes after stdout is drained, so every line printed before exit is seen.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    lines,
    waitLine(pred, timeoutMs = 20_000) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (l: GoLine) => done(() => resolve(l)) };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no matching line within ${timeoutMs} ms; stderr:\n${stderr}`))),
          timeoutMs,
        );
        const onExit = (code: number | null) =>
          done(() => reject(new Error(`${args[0]} exited (${code}) first; stderr:\n${stderr}`)));
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(w);
          child.off('close', onExit);
          f();
        };
        waiters.add(w);
        child.once('close', onExit);
      });
    },
    async signal(sig) {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** Options of {@link startGoService}. */
export interface GoServiceOptions {
  /** `etcd://`, `consul://` or `nacos://host:port`. */
  registry: string;
  /** Service name. Default `helloworld`. */
  name?: string;
  id?: string;
  /**
   * How soon the instance leaves once dead, e.g. `3s` (etcd lease; consul TTL check; nacos
   * heart-beat/delete timeouts). Default: the contrib's.
   */
  ttl?: string;
}

/** A Go Kratos helloworld (HTTP + gRPC) registered in the registry. */
export interface GoService extends GoProcess {
  id: string;
  /** `http://127.0.0.1:P` and `grpc://127.0.0.1:P`, as Go registered them. */
  endpoints: string[];
  /** `host:port` of one transport. */
  address(scheme: 'http' | 'grpc'): string;
  kratos: string;
}

/** Starts `interop serve` and resolves once Go Kratos has registered it. */
export async function startGoService(bin: string, o: GoServiceOptions): Promise<GoService> {
  const args = ['serve', '-registry', o.registry, '-name', o.name ?? 'helloworld', '-exit-on-stdin-eof'];
  if (o.id) args.push('-id', o.id);
  if (o.ttl) args.push('-ttl', o.ttl);
  const p = startProcess(bin, args);
  try {
    const started = await p.waitLine((l) => l.event === 'started', 30_000);
    const endpoints = started.endpoints as string[];
    return Object.assign(p, {
      id: started.id as string,
      endpoints,
      kratos: started.kratos as string,
      address(scheme: 'http' | 'grpc') {
        const e = endpoints.find((x) => x.startsWith(`${scheme}://`));
        if (!e) throw new Error(`no ${scheme} endpoint in ${endpoints.join(', ')}`);
        return new URL(e).host;
      },
    });
  } catch (e) {
    await p.stop(1000);
    throw e;
  }
}

/** Options of {@link goCall}. */
export interface GoCallOptions {
  registry?: string;
  /** `discovery:///<app name>` (the fixture adds nacos' `.<scheme>` per transport) or `host:port`. */
  target: string;
  transports?: ('grpc' | 'http')[];
  names: string[];
  /** Metadata sent by Go's metadata client middleware, e.g. `{ 'x-md-global-user': 'alice' }`. */
  metadata?: Record<string, string>;
  /** Start a root span per call (its trace id is in the result). */
  trace?: boolean;
  /** Pause between two calls in ms. */
  intervalMs?: number;
  /**
   * false: gRPC clients send Go Kratos' default :authority even where the fixture would fix it
   * (nacos, see `Backend.goAuthorityRefused`). Default true.
   */
  fixAuthority?: boolean;
}

/** One call's outcome as Go Kratos' client saw it. */
export interface GoCallResult {
  transport: 'grpc' | 'http';
  name: string;
  message?: string;
  traceId?: string;
  error?: { code: number; reason: string; message: string; metadata: Record<string, string> | null };
}

/** Runs `interop call`: Go Kratos' clients call SayHello once per name and transport. */
export function goCall(bin: string, o: GoCallOptions): Promise<GoCallResult[]> {
  const args = ['call', '-target', o.target, '-transport', (o.transports ?? ['grpc', 'http']).join(',')];
  if (o.registry) args.push('-registry', o.registry);
  for (const n of o.names) args.push('-n', n);
  for (const [k, v] of Object.entries(o.metadata ?? {})) args.push('-md', `${k}=${v}`);
  if (o.trace) args.push('-trace');
  if (o.intervalMs) args.push('-interval', `${o.intervalMs}ms`);
  if (o.fixAuthority === false) args.push('-fix-authority=false');
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`interop call failed: ${err.message}\n${String(stderr).slice(-3000)}`));
      else
        resolve(
          String(stdout)
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as GoCallResult),
        );
    });
  });
}

/** Go Kratos' registry watcher in a child process, read as a kratos-ts watcher. */
export interface GoWatcher extends Watcher<ServiceInstance[]> {
  /** Resolves the first instance set (from now on) satisfying `predicate`. */
  next(predicate: (set: ServiceInstance[]) => boolean, timeoutMs?: number): Promise<ServiceInstance[]>;
}

/**
 * Starts `interop watch` (Go Kratos' Discovery.Watch) for one registry service (nacos:
 * `<name>.<scheme>`) and resolves once it watches: Watch has returned (consul's first Next
 * blocks until the service has an instance) or the watcher answered its first Next.
 */
export async function startGoWatcher(bin: string, registry: string, service: string): Promise<GoWatcher> {
  const ch = createWatchChannel<ServiceInstance[]>();
  const p = startProcess(bin, ['watch', '-registry', registry, '-service', service], (line) => {
    if (line.event === 'instances') ch.push(line.instances as ServiceInstance[]);
  });
  p.child.on('close', () => ch.close());
  const watcher = ch.watcher;
  const stop = async () => {
    await p.stop(5000);
    await watcher.stop();
  };
  try {
    await p.waitLine((l) => l.event === 'watching' || l.event === 'instances' || l.event === 'error', 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    [Symbol.asyncIterator]: () => watcher[Symbol.asyncIterator](),
    next: (predicate, timeoutMs = 20_000) => nextMatching(watcher, predicate, timeoutMs),
    stop,
  };
}
