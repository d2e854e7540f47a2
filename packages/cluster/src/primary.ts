import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { createLogHelper, defaultLogger } from '@kratos/core';
import {
  ENV_ID,
  ENV_SLOT,
  ENV_WORKERS,
  isClusterMessage,
  type ToPrimary,
  type ToWorker,
} from './protocol.ts';
import type { ClusterEvent, ClusterOptions } from './types.ts';

interface Slot {
  worker: Worker | undefined;
  ready: boolean;
  /** Exits in a row before being up. */
  failures: number;
  endpoints: string | undefined;
}

/**
 * The primary: forks `workers` processes that run `main` and share the listening sockets
 * (Node's cluster hands each accepted connection to one worker, round robin on Linux), replaces
 * a worker that dies, and on a signal stops every worker gracefully: the leader deregisters,
 * every worker waits its App's drainDelay, then drains.
 */
export async function runPrimary(options: ClusterOptions, workers: number): Promise<void> {
  const id = options.id ?? randomUUID();
  const maxRestarts = options.maxRestarts ?? 5;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGQUIT'];
  const log = createLogHelper(options.logger ?? defaultLogger());
  const emit = (e: ClusterEvent) => options.onEvent?.(e);

  const cleanup = await options.primary?.();

  const slots: Slot[] = Array.from({ length: workers }, () => ({
    worker: undefined,
    ready: false,
    failures: 0,
    endpoints: undefined,
  }));
  let state: 'starting' | 'running' | 'stopping' = 'starting';
  let deregisteredSent = false;
  const errors: string[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  const live = () => slots.flatMap((s) => (s.worker ? [s.worker] : []));
  const tell = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m);
  };

  const broadcastDeregistered = () => {
    if (deregisteredSent) return;
    deregisteredSent = true;
    emit({ type: 'deregistered' });
    for (const w of live()) tell(w, { kratosCluster: 'deregistered' });
  };

  const stop = (why: { signal?: NodeJS.Signals; error?: string }) => {
    if (why.error) errors.push(why.error);
    if (state === 'stopping') return;
    state = 'stopping';
    emit(why.signal ? { type: 'stopping', signal: why.signal } : { type: 'stopping' });
    log.infow('msg', `stopping ${live().length} workers`);
    for (const w of live()) tell(w, { kratosCluster: 'stop' });
    // No leader to deregister: the others must not wait for it.
    if (!slots[0]!.worker) broadcastDeregistered();
    if (live().length === 0) resolveDone();
  };

  const fork = (slot: number) => {
    const s = slots[slot]!;
    s.ready = false;
    const w = cluster.fork({ [ENV_SLOT]: String(slot), [ENV_ID]: id, [ENV_WORKERS]: String(workers) });
    s.worker = w;
    const pid = w.process.pid ?? 0;
    emit({ type: 'fork', slot, pid });
    // A send to a worker that just died fails: its exit is handled below, not a crash here.
    w.on('error', (e) => log.warnw('msg', `worker ${slot} (pid ${pid}): ${e.message}`));
    w.on('message', (m: unknown) => {
      if (!isClusterMessage<ToPrimary>(m)) return;
      if (m.kratosCluster === 'ready') {
        s.ready = true;
        s.failures = 0;
        // Every worker must listen on the same addresses, or a connection would reach a
        // server of another kind (two port-0 servers are numbered by their listen order).
        const endpoints = [...m.endpoints].sort().join(' ');
        const first = slots.find((o) => o.endpoints !== undefined)?.endpoints;
        s.endpoints = endpoints;
        emit({ type: 'ready', slot, pid, endpoints: m.endpoints });
        if (first !== undefined && first !== endpoints) {
          stop({ error: `worker ${slot} listens on ${endpoints}, worker 0 on ${first}: give fixed ports` });
          return;
        }
        if (state === 'starting' && slots.every((o) => o.ready)) {
          state = 'running';
          log.infow('msg', `${workers} workers up`, 'endpoints', m.endpoints.join(','));
          emit({ type: 'running' });
        }
        if (state === 'stopping') tell(w, { kratosCluster: 'stop' });
      } else if (m.kratosCluster === 'deregistered') {
        broadcastDeregistered();
      }
    });
    w.on('exit', (code, signal) => {
      if (s.worker === w) s.worker = undefined;
      const wasReady = s.ready;
      s.ready = false;
      let replaced = false;
      if (state === 'stopping') {
        if (code !== 0 && !forced) errors.push(`worker ${slot} (pid ${pid}) exited with ${code ?? signal}`);
        if (slot === 0) broadcastDeregistered();
      } else if (!wasReady && state === 'starting') {
        stop({ error: `worker ${slot} (pid ${pid}) exited with ${code ?? signal} before it was up` });
      } else if (!wasReady && ++s.failures > maxRestarts) {
        stop({ error: `worker ${slot} exited ${s.failures} times in a row before it was up` });
      } else {
        replaced = true;
      }
      emit({ type: 'exit', slot, pid, code, signal: signal as NodeJS.Signals | null, replaced });
      if (replaced) {
        log.warnw('msg', `worker ${slot} (pid ${pid}) exited with ${code ?? signal}, replacing it`);
        fork(slot);
      }
      if (state === 'stopping' && live().length === 0) resolveDone();
    });
  };

  let forced = false;
  let signalCount = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signalCount++;
    if (signalCount > 1) {
      log.warnw('msg', `received ${sig} again, killing the workers`);
      forced = true;
      for (const w of live()) w.process.kill('SIGKILL');
      (options.onForceExit ?? (() => process.exit(1)))();
      return;
    }
    log.infow('msg', `received ${sig}, stopping`);
    stop({ signal: sig });
  };
  for (const sig of signals) process.on(sig, onSignal);

  for (let i = 0; i < workers; i++) fork(i);
  await done;
  for (const sig of signals) process.off(sig, onSignal);
  if (typeof cleanup === 'function') (cleanup as () => void)();
  emit({ type: 'stopped' });
  if (errors.length > 0) {
    for (const e of errors) log.errorw('msg', 'cluster', 'error', e);
    throw new Error(`cluster stopped with errors: ${errors.join('; ')}`);
  }
}
