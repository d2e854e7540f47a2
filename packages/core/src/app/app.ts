import { randomUUID } from 'node:crypto';
import { defaultLogger } from '../log/default-logger.ts';
import { createLogHelper } from '../log/helper.ts';
import { isFlushable, type Logger } from '../log/logger.ts';
import type { Registrar, ServiceInstance } from '../registry/registry.ts';
import { isEndpointer, type Server } from '../transport/server.ts';
import type { AppInfo } from './app-info.ts';

/** A lifecycle hook; may be async. A throwing before-/after-start hook aborts `run()`. */
export type AppHook = (app: AppInfo) => void | Promise<void>;

/**
 * A server that can be told its stop has begun (the App calls it before it deregisters and waits
 * `drainDelay`): it keeps serving every call, but says it is going, e.g. the gRPC server's health
 * service answers NOT_SERVING so health-checking clients and balancers stop sending. Optional.
 */
export interface DrainingServer extends Server {
  beginDrain(): void;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Instance id. Default: a random UUID. */
  id?: string;
  /** Service name, the key others discover it by. Default `''`. */
  name?: string;
  /** Default `''`. */
  version?: string;
  /** Registered with the instance. Default `{}`. */
  metadata?: Record<string, string>;
  /** Advertised endpoints; default: each server's own `endpoint()`. */
  endpoints?: readonly string[];
  /** Transport servers, started concurrently. */
  servers?: readonly Server[];
  /** Where to register once every server listens. */
  registrar?: Registrar;
  /** Bound on register and deregister, ms. Default 10 000. */
  registrarTimeout?: number;
  /** Time servers get to drain on stop before they are forced, ms. Default 10 000. */
  stopTimeout?: number;
  /**
   * On stop, time between deregistering and stopping the servers, ms: the servers go on serving
   * while clients learn from the registry that the instance is gone, so none of them is sent to a
   * closed port. Only after a deregistration (nobody else is told otherwise). Default 1000 with a
   * `registrar` (etcd, ZooKeeper and Consul watchers hear of a change well within it), else 0.
   * Set it to how late your slowest client learns of a change. Servers with a `beginDrain()`
   * method (see {@link DrainingServer}) are told when the stop begins, before the deregistration.
   */
  drainDelay?: number;
  /** Signals that stop the app; a second one forces exit. Default SIGINT, SIGTERM, SIGQUIT; `[]` for none. */
  signals?: readonly NodeJS.Signals[];
  /** Default: Go Kratos' std logger on stderr. Flushed on stop. */
  logger?: Logger;
  beforeStart?: AppHook | readonly AppHook[];
  afterStart?: AppHook | readonly AppHook[];
  beforeStop?: AppHook | readonly AppHook[];
  afterStop?: AppHook | readonly AppHook[];
  /** What a second signal does. Default: exit the process with status 1. */
  onForceExit?: () => void;
}

/** A running service: servers plus registration, driven by signals or `stop()`. */
export interface App {
  readonly info: AppInfo;
  /** Starts everything and resolves when the app has stopped (signal or `stop()`). */
  run(): Promise<void>;
  /**
   * Stops the app gracefully; resolves when it has. Safe to call more than once. Called during
   * start-up, the app stops as soon as it is up: so a lifecycle hook must not `await` it (the
   * stop would wait for the hook), only call it.
   */
  stop(): Promise<void>;
}

/** Tells every server that a stop begins (see {@link DrainingServer}); what throws goes to `errors`. */
function beginDrain(servers: readonly Server[], errors: unknown[]): void {
  for (const s of servers) {
    try {
      (s as Partial<DrainingServer>).beginDrain?.();
    } catch (e) {
      errors.push(e);
    }
  }
}

const hooks = (h: AppHook | readonly AppHook[] | undefined): readonly AppHook[] =>
  h === undefined ? [] : typeof h === 'function' ? [h] : h;

function describe(server: Server, index: number): string {
  const name = (server as { constructor?: { name?: string } }).constructor?.name;
  return `server #${index}${name && name !== 'Object' ? ` (${name})` : ''}`;
}

/** Runs `fn` so that a synchronous throw becomes a rejection like an async one. */
async function attempt<T>(fn: () => Promise<T>): Promise<T> {
  return fn();
}

function withTimeout<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} timed out after ${ms} ms`);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  return Promise.race([attempt(() => fn(controller.signal)), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Go Kratos' `kratos.New`: runs servers, registers the instance once all listen, and on a signal
 * or `stop()` deregisters first, serves on for `drainDelay`, then drains servers within
 * `stopTimeout`, then forces them.
 */
export function createApp(options: AppOptions = {}): App {
  const info: AppInfo & { endpoints: string[] } = {
    id: options.id ?? randomUUID(),
    name: options.name ?? '',
    version: options.version ?? '',
    metadata: { ...(options.metadata ?? {}) },
    endpoints: [...(options.endpoints ?? [])],
  };
  const servers = options.servers ?? [];
  const registrarTimeout = options.registrarTimeout ?? 10_000;
  const stopTimeout = options.stopTimeout ?? 10_000;
  const drainDelay = Math.max(0, options.drainDelay ?? (options.registrar ? 1000 : 0));
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGQUIT'];
  const logger = options.logger ?? defaultLogger();
  const log = createLogHelper(logger);

  let state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  let started: Server[] = [];
  let instance: ServiceInstance | undefined;
  let stopPromise: Promise<void> | undefined;
  let stopRequested = false;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {});

  let signalCount = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signalCount++;
    if (signalCount > 1) {
      log.warnw('msg', `received ${sig} again, forcing exit`);
      (options.onForceExit ?? (() => process.exit(1)))();
      return;
    }
    log.infow('msg', `received ${sig}, stopping`);
    // run() reports stop errors; this promise must not become an unhandled rejection.
    app.stop().catch(() => {});
  };
  const listen = () => {
    for (const s of signals) process.on(s, onSignal);
  };
  const unlisten = () => {
    for (const s of signals) process.off(s, onSignal);
  };

  const stopServers = async (list: readonly Server[], timeoutMs: number) => {
    const force = new AbortController();
    const timer = setTimeout(() => force.abort(new Error(`stop timeout ${timeoutMs} ms`)), timeoutMs);
    try {
      const results = await Promise.allSettled(
        list.map((s) => attempt(() => s.stop({ signal: force.signal }))),
      );
      return results.flatMap((r, i) =>
        r.status === 'rejected'
          ? [
              new Error(
                `${describe(list[i]!, i)} failed to stop: ${String((r.reason as Error)?.message ?? r.reason)}`,
                { cause: r.reason },
              ),
            ]
          : [],
      );
    } finally {
      clearTimeout(timer);
    }
  };

  const runHooks = async (list: readonly AppHook[]) => {
    for (const h of list) await h(info);
  };

  const app: App = {
    info,
    async run() {
      if (state !== 'idle') throw new Error(`app "${info.name}" cannot run: it is ${state}`);
      state = 'starting';
      // Listening from the start: a signal during start-up stops the app as soon as it is up
      // (instead of killing it half-registered), and a second one still forces the exit.
      listen();
      try {
        await runHooks(hooks(options.beforeStart));
        const results = await Promise.allSettled(servers.map((s) => attempt(() => s.start({ app: info }))));
        started = servers.filter((_, i) => results[i]!.status === 'fulfilled');
        const failed = results.findIndex((r) => r.status === 'rejected');
        if (failed !== -1) {
          const reason = (results[failed] as PromiseRejectedResult).reason;
          throw new Error(
            `${describe(servers[failed]!, failed)} failed to start: ${String(reason?.message ?? reason)}`,
            { cause: reason },
          );
        }
        if (!options.endpoints) {
          info.endpoints = servers.flatMap((s) => (isEndpointer(s) ? [s.endpoint().toString()] : []));
        }
        if (options.registrar) {
          const registrar = options.registrar;
          const inst: ServiceInstance = {
            id: info.id,
            name: info.name,
            version: info.version,
            metadata: { ...info.metadata },
            endpoints: [...info.endpoints],
          };
          try {
            await withTimeout(registrarTimeout, 'register', (signal) => registrar.register(inst, { signal }));
          } catch (e) {
            throw new Error(`register "${info.name}" failed: ${(e as Error)?.message ?? e}`, { cause: e });
          }
          instance = inst;
        }
        await runHooks(hooks(options.afterStart));
      } catch (e) {
        // Leave nothing registered or listening behind a failed start (a throwing after-start
        // hook included), or the process would linger half up.
        const errors: unknown[] = [];
        // Told first, so health checks and the registry say the same thing from here on.
        beginDrain(started, errors);
        if (options.registrar && instance) {
          const inst = instance;
          const registrar = options.registrar;
          await withTimeout(registrarTimeout, 'deregister', (signal) =>
            registrar.deregister(inst, { signal }),
          ).catch((err) => errors.push(err));
        }
        instance = undefined;
        errors.push(...(await stopServers(started, stopTimeout)));
        started = [];
        for (const err of errors)
          log.errorw('msg', 'start failed', 'error', (err as Error)?.message ?? String(err));
        unlisten();
        state = 'stopped';
        // stop() calls made during start-up wait on `done`: the app is down now.
        resolveDone();
        if (isFlushable(logger)) await logger.flush().catch(() => {});
        throw e;
      }
      state = 'running';
      if (stopRequested) app.stop().catch(() => {});
      return done;
    },
    stop() {
      if (state === 'starting') {
        stopRequested = true;
        return done;
      }
      if (state === 'idle') {
        state = 'stopped';
        resolveDone();
        return done;
      }
      if (stopPromise) return stopPromise;
      if (state === 'stopped') return done;
      state = 'stopping';
      stopPromise = (async () => {
        const errors: unknown[] = [];
        try {
          await runHooks(hooks(options.beforeStop));
        } catch (e) {
          errors.push(e);
        }
        // Told first, so health checks and the registry say the same thing from here on.
        beginDrain(started, errors);
        if (options.registrar && instance) {
          const inst = instance;
          await withTimeout(registrarTimeout, 'deregister', (signal) =>
            options.registrar!.deregister(inst, { signal }),
          ).catch((e) =>
            errors.push(
              new Error(`deregister "${info.name}" failed: ${(e as Error)?.message ?? e}`, { cause: e }),
            ),
          );
          // Deregistered: keep serving while clients hear of it, then close the listeners.
          if (drainDelay > 0) {
            log.infow('msg', `deregistered, stopping servers in ${drainDelay} ms`);
            await new Promise((resolve) => setTimeout(resolve, drainDelay));
          }
        }
        errors.push(...(await stopServers(started, stopTimeout)));
        try {
          await runHooks(hooks(options.afterStop));
        } catch (e) {
          errors.push(e);
        }
        unlisten();
        state = 'stopped';
        for (const e of errors) log.errorw('msg', 'stop', 'error', (e as Error)?.message ?? String(e));
        if (isFlushable(logger)) await logger.flush().catch(() => {});
        if (errors.length > 0)
          rejectDone(new AggregateError(errors, `app "${info.name}" stopped with errors`));
        else resolveDone();
      })();
      return stopPromise.then(() => done);
    },
  };
  return app;
}
