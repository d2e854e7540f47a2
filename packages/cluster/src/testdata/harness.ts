// Starts service.ts under runCluster in a child process and talks to it: its events (JSON lines),
// a control server standing in for the registry, and echo calls over HTTP and gRPC.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { type StringValue, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { Client, credentials } from '@grpc/grpc-js';
import type { ServiceInstance } from '@kratos/core';
import { freePort } from '@kratos/testkit';
import { echoMethod } from '@kratos/testkit/echo';

const script = fileURLToPath(new URL('./service.ts', import.meta.url));

export interface ClusterEventLine {
  from: 'primary' | 'worker';
  type: string;
  slot?: number;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  replaced?: boolean;
  endpoints?: string[];
  value?: string;
}

export interface Registration {
  what: 'register' | 'deregister';
  pid: number;
  instance: ServiceInstance;
}

export interface RunningCluster {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** @kratos/rpc (gRPC on node:http2). */
  readonly rpcPort: number;
  readonly events: ClusterEventLine[];
  readonly registrations: Registration[];
  stderr(): string;
  /** The first event from index `from` on that matches. */
  event(match: (e: ClusterEventLine) => boolean, from?: number): Promise<ClusterEventLine>;
  /** Resolves when a deregistration arrives; it is answered only when `release()` is called. */
  deregistration(): Promise<{ release: () => void }>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

export async function startCluster(workers: number, ports: { http?: number } = {}): Promise<RunningCluster> {
  const events: ClusterEventLine[] = [];
  const registrations: Registration[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  let held: ((r: { release: () => void }) => void) | undefined;
  const heldQueue: { release: () => void }[] = [];

  const control = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const what = req.url === '/register' ? 'register' : 'deregister';
      const parsed = JSON.parse(body) as { pid: number; instance: ServiceInstance };
      registrations.push({ what, ...parsed });
      changed();
      if (what === 'register') {
        res.end('ok');
        return;
      }
      const h = { release: () => res.end('ok') };
      if (held) {
        held(h);
        held = undefined;
      } else heldQueue.push(h);
    });
  });
  control.listen(0, '127.0.0.1');
  await once(control, 'listening');
  const controlUrl = `http://127.0.0.1:${(control.address() as { port: number }).port}`;

  const httpPort = ports.http ?? (await freePort());
  const grpcPort = await freePort();
  const rpcPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--conditions=kratos-source',
      script,
      String(workers),
      String(httpPort),
      String(grpcPort),
      controlUrl,
      String(rpcPort),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  let closed = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    events.push(JSON.parse(line) as ClusterEventLine);
    changed();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': every line the cluster wrote has been read by then.
    child.once('close', (code, signal) => {
      closed = true;
      control.close();
      control.closeAllConnections();
      resolve({ code, signal });
      changed();
    }),
  );

  const event = (match: (e: ClusterEventLine) => boolean, from = 0) =>
    new Promise<ClusterEventLine>((resolve, reject) => {
      const check = () => {
        const hit = events.slice(from).find(match);
        if (hit) {
          waiters.delete(check);
          resolve(hit);
        } else if (closed) {
          waiters.delete(check);
          reject(new Error(`cluster exited before the event; stderr:\n${stderr}`));
        }
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    httpPort,
    grpcPort,
    rpcPort,
    events,
    registrations,
    stderr: () => stderr,
    event,
    deregistration: () =>
      new Promise((resolve) => {
        const h = heldQueue.shift();
        if (h) resolve(h);
        else held = resolve;
      }),
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** GET /v1/echo/<value>; `agent` false: a connection of its own. Resolves `value@pid`. */
export function httpEcho(port: number, value: string, agent: Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v1/echo/${value}`, agent }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as string);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A gRPC client with its own connection (no shared subchannel). */
export function grpcClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
}

export function grpcEcho(client: Client, value: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest<StringValue, StringValue>(
      echoMethod.path,
      echoMethod.requestSerialize,
      echoMethod.responseDeserialize,
      create(StringValueSchema, { value }),
      (err, reply) => (err ? reject(err) : resolve(reply!.value)),
    );
  });
}

export const pidOf = (reply: string) => Number(reply.slice(reply.lastIndexOf('@') + 1));
