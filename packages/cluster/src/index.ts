export { resolveWorkers, runCluster } from './run-cluster.ts';
export type { ClusterEvent, ClusterOptions } from './types.ts';
export { type ClusterWorker, clusterWorker, createClusterApp } from './worker.ts';
