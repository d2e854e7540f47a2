// What the primary and its workers tell each other over the cluster IPC channel, and the
// environment a worker learns its place from.

/** The worker's slot, 0 .. workers-1; slot 0 is the one that registers. */
export const ENV_SLOT = 'KRATOS_CLUSTER_SLOT';
/** The instance id every worker of the cluster shares. */
export const ENV_ID = 'KRATOS_CLUSTER_ID';
/** How many workers the cluster runs. */
export const ENV_WORKERS = 'KRATOS_CLUSTER_WORKERS';
/** Read by `runCluster` when its `workers` option is not given (`kratos run --workers N` sets it). */
export const ENV_WANTED = 'KRATOS_WORKERS';

/** Worker -> primary. */
export type ToPrimary = { kratosCluster: 'ready'; endpoints: string[] } | { kratosCluster: 'deregistered' };

/** Primary -> worker. */
export type ToWorker = { kratosCluster: 'stop' } | { kratosCluster: 'deregistered' };

export function isClusterMessage<T extends { kratosCluster: string }>(m: unknown): m is T {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { kratosCluster?: unknown }).kratosCluster === 'string'
  );
}
