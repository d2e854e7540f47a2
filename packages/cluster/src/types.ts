import type { Logger } from '@kratos/core';

/** What the primary reports, for logs and tests (`onEvent`). */
export type ClusterEvent =
  | { type: 'fork'; slot: number; pid: number }
  | { type: 'ready'; slot: number; pid: number; endpoints: readonly string[] }
  | { type: 'running' }
  | {
      type: 'exit';
      slot: number;
      pid: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      /** True when the primary forks a replacement (the cluster was not stopping). */
      replaced: boolean;
    }
  | { type: 'stopping'; signal?: NodeJS.Signals }
  | { type: 'deregistered' }
  | { type: 'stopped' };

/** Options of {@link runCluster}. */
export interface ClusterOptions {
  /**
   * How many worker processes. `'auto'`: `os.availableParallelism()`. 1 (or less) runs `main` in
   * this process, as if there were no cluster. Default: the `KRATOS_WORKERS` environment
   * variable (`kratos run --workers N` sets it), else 1.
   */
  workers?: number | 'auto';
  /**
   * The service, run in every worker: build the App with `createClusterApp` and `run()` it. The
   * worker exits with main's exit code once it resolves.
   */
  main: () => unknown;
  /**
   * Runs in the primary before the workers are forked (e.g. `aggregateClusterMetrics()` of
   * `@kratos/metrics-prometheus`); a function it returns runs once every worker has stopped.
   */
  primary?: () => unknown;
  /** The instance id every worker's App registers with. Default: a random UUID per cluster. */
  id?: string;
  /** A slot whose replacement exits this many times in a row before it is up gives up the cluster. Default 5. */
  maxRestarts?: number;
  /** Signals that stop the cluster; a second one kills the workers. Default SIGINT, SIGTERM, SIGQUIT. */
  signals?: readonly NodeJS.Signals[];
  /** Told of forks, exits, replacements and the stop. Default: none. */
  onEvent?: (event: ClusterEvent) => void;
  /** The primary's log (forks, crashes, stop). Default: Go Kratos' std logger on stderr. */
  logger?: Logger;
  /** What a second signal does after the workers are killed. Default: exit with status 1. */
  onForceExit?: () => void;
}
