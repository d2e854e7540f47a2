import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { runPrimary } from './primary.ts';
import { ENV_SLOT, ENV_WANTED } from './protocol.ts';
import type { ClusterOptions } from './types.ts';
import { runWorker } from './worker.ts';

/** The worker count `options.workers` (or `KRATOS_WORKERS`) asks for. */
export function resolveWorkers(workers: ClusterOptions['workers'], env = process.env): number {
  const wanted = workers ?? env[ENV_WANTED] ?? 1;
  if (wanted === 'auto') return availableParallelism();
  const n = typeof wanted === 'number' ? wanted : Number(wanted);
  if (!Number.isInteger(n)) {
    throw new TypeError(
      `workers must be an integer or 'auto', got ${JSON.stringify(wanted)}${workers === undefined ? ` (from ${ENV_WANTED})` : ''}`,
    );
  }
  return Math.max(1, n);
}

/**
 * Runs the service `main` on `workers` cores. In the primary it forks the workers and resolves
 * once all have stopped (after a signal); in a worker it runs `main` and exits with its code.
 * With one worker, `main` runs in this process and nothing else changes.
 */
export async function runCluster(options: ClusterOptions): Promise<void> {
  if (cluster.isWorker && process.env[ENV_SLOT] !== undefined) return runWorker(options.main);
  const workers = resolveWorkers(options.workers);
  if (workers <= 1) {
    await options.main();
    return;
  }
  return runPrimary(options, workers);
}
