import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import {
  type App,
  type Context,
  createApp,
  type Discovery,
  KratosError,
  type Middleware,
  type Registrar,
  type ServiceInstance,
} from '@kratos/core';
import { createGrpcClient, createGrpcServer, type GrpcClient } from '@kratos/grpc';
import { createHttpClient, createHttpServer, type HttpClient } from '@kratos/http';
import { clientMetadata, serverMetadata } from '@kratos/middleware';
import { freePort } from '@kratos/testkit';
import { errorUserNotFound } from '../../../examples/helloworld/api/helloworld/v1/error_reason_errors.js';
import {
  GreeterGrpcClient,
  registerGreeterGrpcServer,
} from '../../../examples/helloworld/api/helloworld/v1/greeter_grpc.js';
import {
  GreeterHttpClient,
  registerGreeterHttpServer,
} from '../../../examples/helloworld/api/helloworld/v1/greeter_http.js';
import {
  type HelloReply,
  HelloReplySchema,
  type HelloRequest,
} from '../../../examples/helloworld/api/helloworld/v1/greeter_pb.js';

export const quiet = { log() {} };

/** What one hop of a relay chain saw; the same JSON shape the Go fixture replies. */
export interface HopReport {
  side: 'go' | 'ts';
  kratos: string;
  transport: string;
  operation: string;
  metadata: Record<string, string>;
  traceId?: string;
  next?: HopReport;
}

/** Parses a HelloReply.message that holds a hop report. */
export function parseReport(message: string | undefined): HopReport {
  return JSON.parse(message ?? '') as HopReport;
}

/** Options of {@link startTsRelay}. */
export interface TsRelayOptions {
  name: string;
  registrar: Registrar;
  discovery: Discovery;
  /** Extra server middleware (after metadata), e.g. tracing. */
  serverMiddleware?: Middleware[];
  /** Extra client middleware (before metadata), e.g. tracing. */
  clientMiddleware?: Middleware[];
  /** The trace id of a call as the server middleware left it in the context, if any. */
  traceIdOf?: (ctx: Context) => string | undefined;
  /**
   * The registry service a `relay~<kind>~<name>~...` call discovers for the app `name` (nacos:
   * `<name>.<kind>`). Default: the name.
   */
  discoveryName?: (name: string, kind: 'grpc' | 'http') => string;
}

/** The TypeScript twin of the Go fixture's greeter, run by a kratos-ts App (HTTP + gRPC). */
export interface TsRelay {
  app: App;
  id: string;
  /** The instance the App registered. */
  instance: ServiceInstance;
  /** `host:port` of one transport. */
  address(scheme: 'http' | 'grpc'): string;
  stop(): Promise<void>;
}

/**
 * Starts a kratos-ts App that answers like the Go fixture: `unknown*` -> 404 USER_NOT_FOUND with
 * metadata `{name, side: 'ts'}`, `echo` -> a JSON hop report, `relay~<grpc|http>~<target>~<name>`
 * -> calls `<target>` (service name through discovery, or host:port) and wraps its report.
 * Server middleware: serverMetadata; client middleware: clientMetadata (Go Kratos' defaults).
 */
export async function startTsRelay(o: TsRelayOptions): Promise<TsRelay> {
  const clients = new Map<
    string,
    { close(): Promise<void>; greeter: GreeterGrpcClient | GreeterHttpClient }
  >();
  const clientMiddleware = [...(o.clientMiddleware ?? []), clientMetadata()];
  const greeterFor = (kind: string, target: string) => {
    const key = `${kind} ${target}`;
    let c = clients.get(key);
    if (!c) {
      const service =
        o.discoveryName && (kind === 'grpc' || kind === 'http') ? o.discoveryName(target, kind) : target;
      const endpoint = target.includes(':') ? `direct:///${target}` : `discovery:///${service}`;
      const common = { endpoint, discovery: o.discovery, middleware: clientMiddleware, timeout: 10_000 };
      if (kind === 'grpc') {
        const client: GrpcClient = createGrpcClient({ ...common, logger: quiet });
        c = { close: () => client.close(), greeter: new GreeterGrpcClient(client) };
      } else if (kind === 'http') {
        const client: HttpClient = createHttpClient({ ...common, logger: quiet });
        c = { close: () => client.close(), greeter: new GreeterHttpClient(client) };
      } else {
        throw new KratosError(400, 'BAD_RELAY', `unknown transport ${kind}`);
      }
      clients.set(key, c);
    }
    return c.greeter;
  };
  const report = (ctx: Context, next?: HopReport): HelloReply => {
    const metadata: Record<string, string> = {};
    for (const [k, v] of ctx.metadata) if (k.startsWith('x-md-')) metadata[k] = v.join(',');
    const traceId = o.traceIdOf?.(ctx);
    const r: HopReport = {
      side: 'ts',
      kratos: 'kratos-ts',
      transport: ctx.kind,
      operation: ctx.operation,
      metadata,
      ...(traceId ? { traceId } : {}),
      ...(next ? { next } : {}),
    };
    return create(HelloReplySchema, { message: JSON.stringify(r) });
  };
  const greeter = {
    async sayHello(ctx: Context, req: HelloRequest): Promise<HelloReply> {
      const name = req.name;
      if (name.startsWith('unknown')) {
        throw errorUserNotFound('user %s not found', name).withMetadata({ name, side: 'ts' });
      }
      if (name === 'echo') return report(ctx);
      if (name.startsWith('relay~')) {
        const [, kind = '', target = '', ...rest] = name.split('~');
        // Errors from the hop behind pass through as they came (code, reason, message, metadata).
        const reply = await greeterFor(kind, target).sayHello({ name: rest.join('~') }, { ctx });
        return report(ctx, parseReport(reply.message));
      }
      return create(HelloReplySchema, { message: `Hello ${name}` });
    },
  };

  const middleware = [serverMetadata(), ...(o.serverMiddleware ?? [])];
  const http = createHttpServer({ address: '127.0.0.1:0', middleware, logger: quiet });
  const grpc = createGrpcServer({ address: '127.0.0.1:0', middleware, logger: quiet });
  registerGreeterHttpServer(http, greeter);
  registerGreeterGrpcServer(grpc, greeter);
  const id = `ts-${o.name}-${process.pid}`;
  let started!: () => void;
  const ready = new Promise<void>((r) => {
    started = r;
  });
  const app = createApp({
    id,
    name: o.name,
    version: 'v1.0.0',
    metadata: { lang: 'ts' },
    servers: [http, grpc],
    registrar: o.registrar,
    signals: [],
    logger: quiet,
    afterStart: async () => started(),
  });
  const running = app.run();
  await Promise.race([
    ready,
    running.then(() => Promise.reject(new Error('relay app stopped before start'))),
  ]);
  const { name, version, metadata, endpoints } = app.info;
  return {
    app,
    id,
    instance: { id, name, version, metadata: { ...metadata }, endpoints: [...endpoints] },
    address: (scheme) => (scheme === 'http' ? http.endpoint().host : grpc.endpoint().host),
    async stop() {
      await app.stop();
      await running;
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}

/** The examples/helloworld service run as a user runs it (`-conf`, `-registry`). */
export interface TsHelloworld {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

const helloworldMain = fileURLToPath(
  new URL('../../../examples/helloworld/cmd/helloworld/main.ts', import.meta.url),
);

/** Starts examples/helloworld on free loopback ports, registered under `name` in `registry`. */
export async function startTsHelloworld(registry: string, name: string): Promise<TsHelloworld> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const conf = mkdtempSync(join(tmpdir(), 'interop-hw-'));
  writeFileSync(
    join(conf, 'config.yaml'),
    `server:\n  http:\n    addr: 127.0.0.1:${httpPort}\n  grpc:\n    addr: 127.0.0.1:${grpcPort}\n`,
  );
  const child = spawn(
    process.execPath,
    ['--conditions=kratos-source', helloworldMain, '-conf', conf, '-registry', registry],
    { stdio: 'ignore', env: { ...process.env, KRATOS_APP_NAME: name } },
  );
  const exited = new Promise<number | null>((res) => child.on('exit', res));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const registerChild = fileURLToPath(new URL('./register-child.ts', import.meta.url));

/**
 * A separate kratos-ts process holding one registration, to be killed like a crashed service.
 * Endpoints with port 0 get a listener of the child's (see register-child.ts); `instance` is what
 * it registered.
 */
export async function startRegisteredChild(
  registry: string,
  instance: ServiceInstance,
  expirySeconds: number,
): Promise<{ instance: ServiceInstance; kill(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--conditions=kratos-source', registerChild, registry, JSON.stringify(instance), String(expirySeconds)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const registered = new Promise<ServiceInstance>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const line = /^registered (.*)\n/m.exec(out);
      if (line?.[1]) resolve(JSON.parse(line[1]) as ServiceInstance);
    });
    child.on('exit', (code) => reject(new Error(`register-child exited (${code}) before registering`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    return { instance: await registered, kill };
  } catch (e) {
    await kill();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
