import cluster from 'node:cluster';
import { type App, type AppHook, type AppOptions, createApp, type Registrar } from '@kratos/core';
import {
  ENV_ID,
  ENV_SLOT,
  ENV_WORKERS,
  isClusterMessage,
  type ToPrimary,
  type ToWorker,
} from './protocol.ts';

/** Where this process stands in a cluster started by `runCluster`. */
export interface ClusterWorker {
  /** 0 .. workers-1. A replaced worker gets the slot of the one it replaces. */
  readonly slot: number;
  /** How many workers the cluster runs. */
  readonly workers: number;
  /** The instance id the cluster's App registers with, the same in every worker and replacement. */
  readonly id: string;
  /** Slot 0: the one worker whose App registers the instance (and deregisters it on stop). */
  readonly leader: boolean;
}

/** This worker's place in the cluster, or `undefined` outside a `runCluster` worker. */
export function clusterWorker(): ClusterWorker | undefined {
  const slot = process.env[ENV_SLOT];
  if (!cluster.isWorker || slot === undefined) return undefined;
  return {
    slot: Number(slot),
    workers: Number(process.env[ENV_WORKERS] ?? 1),
    id: process.env[ENV_ID] ?? '',
    leader: slot === '0',
  };
}

function send(message: ToPrimary): void {
  // The channel is gone once the primary has: nothing left to tell.
  if (process.connected) process.send?.(message);
}

// One listener per worker process, whatever number of Apps it creates.
const apps = new Set<App>();
let stopAsked = false;
let deregistered = false;
const deregisteredWaiters = new Set<() => void>();
let listening = false;

function listenToPrimary(): void {
  if (listening) return;
  listening = true;
  process.on('message', (m: unknown) => {
    if (!isClusterMessage<ToWorker>(m)) return;
    if (m.kratosCluster === 'stop') {
      stopAsked = true;
      // Asked before main built its App: nothing serves yet, nothing to drain.
      if (apps.size === 0) process.exit(0);
      // run() reports stop errors.
      for (const app of apps) app.stop().catch(() => {});
    } else if (m.kratosCluster === 'deregistered') {
      deregistered = true;
      for (const wake of deregisteredWaiters) wake();
      deregisteredWaiters.clear();
    }
  });
}

/** Resolves once the primary says the leader has deregistered, or when `signal` aborts. */
function leaderDeregistered(signal: AbortSignal | undefined): Promise<void> {
  if (deregistered || !stopAsked) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = () => {
      signal?.removeEventListener('abort', wake);
      deregisteredWaiters.delete(wake);
      resolve();
    };
    deregisteredWaiters.add(wake);
    signal?.addEventListener('abort', wake, { once: true });
  });
}

/** The leader registers for the whole cluster and says when it has deregistered. */
function leaderRegistrar(registrar: Registrar): Registrar {
  return {
    register: (instance, options) => registrar.register(instance, options),
    async deregister(instance, options) {
      try {
        await registrar.deregister(instance, options);
      } finally {
        send({ kratosCluster: 'deregistered' });
      }
    },
  };
}

/**
 * The other workers register nothing; on stop they wait for the leader's deregistration, so that
 * their App's `drainDelay` runs from the same moment as the leader's.
 */
const followerRegistrar: Registrar = {
  register: async () => {},
  deregister: (_instance, options) => leaderDeregistered(options?.signal),
};

const hooks = (h: AppHook | readonly AppHook[] | undefined): readonly AppHook[] =>
  h === undefined ? [] : typeof h === 'function' ? [h] : h;

/**
 * `createApp` for a service that may run under `runCluster`. Outside a cluster worker it is
 * `createApp(options)`. In a worker: the id defaults to the cluster's (the same in every worker),
 * only the leader (slot 0) registers with `registrar`, the others wait for its deregistration
 * before their `drainDelay`; the App ignores OS signals and stops when the primary says so; the
 * primary hears when it is up.
 */
export function createClusterApp(options: AppOptions = {}): App {
  const worker = clusterWorker();
  if (!worker) return createApp(options);
  listenToPrimary();
  const registrar = options.registrar
    ? worker.leader
      ? leaderRegistrar(options.registrar)
      : followerRegistrar
    : undefined;
  const ready: AppHook = (info) => send({ kratosCluster: 'ready', endpoints: [...info.endpoints] });
  const app = createApp({
    ...options,
    id: options.id ?? worker.id,
    registrar,
    // The primary owns the signals (a terminal's Ctrl-C reaches every worker too).
    signals: [],
    afterStart: [...hooks(options.afterStart), ready],
  });
  apps.add(app);
  if (stopAsked) app.stop().catch(() => {});
  return app;
}

/** Signals that would end a worker by default; the primary decides when workers stop. */
export const IGNORED_IN_WORKERS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT'];

/** Runs `main` in a worker: signals ignored, the exit code is main's. */
export async function runWorker(main: () => unknown): Promise<never> {
  listenToPrimary();
  const ignore = () => {};
  for (const s of IGNORED_IN_WORKERS) process.on(s, ignore);
  let code = 0;
  try {
    await main();
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    process.stderr.write(`kratos cluster worker ${process.env[ENV_SLOT]}: ${(e as Error)?.stack ?? e}\n`);
    code = 1;
  }
  // The IPC channel keeps the process alive; main has cleaned up what it started.
  process.exit(code);
}
