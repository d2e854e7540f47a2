import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** One helloworld process (examples/helloworld's cmd/helloworld/main.ts) on fixed loopback ports. */
export interface Instance {
  /** `A`, `B`, ... */
  readonly label: string;
  readonly httpAddress: string;
  readonly grpcAddress: string;
  /** The registered instance id of the running process (`<hostname>-<pid>`, as main.ts sets it). */
  readonly id: string;
  readonly running: boolean;
  /** Starts the process (again, on the same ports); resolves once it was spawned. */
  start(): void;
  /** Sends a signal and resolves when the process has exited (SIGKILL after `boundMs`). */
  stop(
    signal: 'SIGTERM' | 'SIGKILL',
    boundMs?: number,
  ): Promise<{ code: number | null; signal: string | null }>;
  /** Resolves when the running process exits. */
  exited(): Promise<void>;
}

export interface InstanceOptions {
  label: string;
  /** Repository root holding examples/helloworld. */
  root: string;
  /** Where the config and the process' output go. */
  dir: string;
  httpPort: number;
  grpcPort: number;
  /** `etcd://host:port` or `zookeeper://host:port`, helloworld's `-registry`. */
  registry: string;
  /** Service name (helloworld reads KRATOS_APP_NAME). */
  name: string;
}

/** Every process any instance started and not yet seen exit: killed by {@link killAll}. */
const live = new Set<ChildProcess>();

/** SIGKILLs every helloworld process still running (cleanup after a failure, and at exit). */
export function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killAll);

export function createInstance(o: InstanceOptions): Instance {
  mkdirSync(o.dir, { recursive: true });
  writeFileSync(
    join(o.dir, 'config.yaml'),
    `server:\n  http:\n    addr: 127.0.0.1:${o.httpPort}\n    timeout: 1s\n  grpc:\n    addr: 127.0.0.1:${o.grpcPort}\n    timeout: 1s\n`,
  );
  const main = join(o.root, 'examples/helloworld/cmd/helloworld/main.ts');
  let child: ChildProcess | undefined;
  let exit: Promise<{ code: number | null; signal: string | null }> = Promise.resolve({
    code: null,
    signal: null,
  });
  let starts = 0;

  return {
    label: o.label,
    httpAddress: `127.0.0.1:${o.httpPort}`,
    grpcAddress: `127.0.0.1:${o.grpcPort}`,
    get id() {
      return `${hostname()}-${child?.pid ?? 0}`;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    start() {
      if (this.running) throw new Error(`instance ${o.label} is already running`);
      starts++;
      const out = openSync(join(o.dir, `out-${starts}.log`), 'a');
      const c = spawn(
        process.execPath,
        ['--conditions=kratos-source', main, '-conf', o.dir, '-registry', o.registry],
        {
          cwd: join(o.root, 'examples/helloworld'),
          stdio: ['ignore', out, out],
          env: { ...process.env, KRATOS_APP_NAME: o.name },
        },
      );
      closeSync(out);
      live.add(c);
      child = c;
      exit = new Promise((resolve) => {
        c.once('exit', (code, signal) => {
          live.delete(c);
          resolve({ code, signal });
        });
      });
    },
    async stop(signal, boundMs = 20_000) {
      const c = child;
      if (c === undefined || !this.running) return exit;
      c.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, boundMs);
      });
      const first = await Promise.race([exit, bound.then(() => undefined)]);
      clearTimeout(timer);
      if (first === undefined) {
        c.kill('SIGKILL');
        await exit;
        throw new Error(`instance ${o.label} did not exit within ${boundMs} ms of ${signal}`);
      }
      return first;
    },
    async exited() {
      await exit;
    },
  };
}
