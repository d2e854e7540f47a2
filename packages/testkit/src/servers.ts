import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Data directory for the server (kept across {@link StartedServer.restart}). Default: chosen by the script. */
  dataDir?: string;
  /** Port to listen on. Default: a free port chosen by the script. */
  port?: number;
  /** Repository root holding `scripts/servers/`. Default: found by walking up to `pnpm-workspace.yaml`. */
  root?: string;
  /** Extra environment for the scripts. */
  env?: Record<string, string>;
  /** Bound of the start script (downloads and first start can be slow). Default 180000 ms. */
  timeoutMs?: number;
}

/** What `scripts/servers/start.sh` prints: one JSON line. */
export interface ServerInfo {
  name: string;
  pid: number;
  /** Named endpoints, e.g. `{ "client": "http://127.0.0.1:2379" }`. */
  endpoints: Record<string, string>;
  dataDir: string;
  /** Path of the server's log file. */
  log?: string | undefined;
}

/** A running test server. Fields reflect the latest (re)start. */
export interface StartedServer extends ServerInfo {
  /** Stops the server (`scripts/servers/stop.sh <pid>`). Calling it again does nothing. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and data directory; resolves this object. */
  restart(): Promise<StartedServer>;
}

/**
 * The folder holding `pnpm-workspace.yaml`, walking up from `from` (default: the current
 * directory, then this module's directory). Throws when there is none.
 */
export function findRepoRoot(from?: string): string {
  const starts = from ? [from] : [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    let dir = resolve(start);
    for (let i = 0; i < 64; i++) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error(`no pnpm-workspace.yaml above ${starts.join(' or ')}`);
}

function run(
  root: string,
  args: string[],
  env: Record<string, string> | undefined,
  timeout: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      args,
      { cwd: root, env: { ...process.env, ...env }, timeout, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const tail = String(stderr).trim().split('\n').slice(-20).join('\n');
          reject(
            new Error(
              `bash ${args.join(' ')} failed (${err.message.split('\n')[0]})${tail ? `:\n${tail}` : ''}`,
            ),
          );
        } else {
          resolvePromise({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
  });
}

/** The last stdout line that is a JSON object with a numeric pid. */
export function parseServerInfo(stdout: string): ServerInfo {
  const lines = stdout.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.startsWith('{')) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    const o = v as Partial<ServerInfo>;
    if (typeof o !== 'object' || o === null || typeof o.pid !== 'number') continue;
    return {
      name: String(o.name ?? ''),
      pid: o.pid,
      endpoints: o.endpoints && typeof o.endpoints === 'object' ? { ...o.endpoints } : {},
      dataDir: String(o.dataDir ?? ''),
      ...(typeof o.log === 'string' ? { log: o.log } : {}),
    };
  }
  throw new Error(`start script printed no JSON line with a pid; stdout was:\n${stdout.slice(-2000)}`);
}

/**
 * Starts one of the repository's real test servers (etcd, consul, zookeeper, ...) through
 * `bash scripts/servers/start.sh <name> [--data-dir D] [--port P]` run from the repository root.
 */
export async function startServer(name: string, options: StartServerOptions = {}): Promise<StartedServer> {
  const root = options.root ?? findRepoRoot();
  const timeout = options.timeoutMs ?? 180_000;
  const start = async (dataDir: string | undefined, port: number | undefined) => {
    const args = [join('scripts', 'servers', 'start.sh'), name];
    if (dataDir) args.push('--data-dir', dataDir);
    if (port !== undefined) args.push('--port', String(port));
    const { stdout } = await run(root, args, options.env, timeout);
    return parseServerInfo(stdout);
  };

  // Ports the script picked can be taken by another process between the pick and the server's
  // bind: with no port or data dir of the caller's, a start that lost that race is tried again
  // (a fresh data dir gets fresh ports).
  const ownPorts = options.port === undefined && options.dataDir === undefined;
  const first = async (): Promise<ServerInfo> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(options.dataDir, options.port);
      } catch (e) {
        if (!ownPorts || attempt >= 3 || !/address already in use/i.test(String(e))) throw e;
      }
    }
  };
  let info = await first();
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    if (stopped) return stopping ?? Promise.resolve();
    stopped = true;
    stopping = run(root, [join('scripts', 'servers', 'stop.sh'), String(info.pid)], options.env, 60_000).then(
      () => undefined,
    );
    return stopping;
  };

  const server: StartedServer = {
    get name() {
      return info.name || name;
    },
    get pid() {
      return info.pid;
    },
    get endpoints() {
      return info.endpoints;
    },
    get dataDir() {
      return info.dataDir;
    },
    get log() {
      return info.log;
    },
    stop,
    async restart() {
      await stop();
      // The scripts remember a data directory's ports, so the same data dir gives the same ports.
      info = await start(info.dataDir || options.dataDir, options.port);
      stopped = false;
      stopping = undefined;
      return server;
    },
  };
  return server;
}
