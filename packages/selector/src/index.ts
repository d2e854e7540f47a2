export { isNodeBalancer, type NodeBalancer, type RandomSource } from './balancer.ts';
export type { Clock } from './clock.ts';
export { DEFAULT_WEIGHT, DirectNode } from './direct-node.ts';
export { isNoAvailableNode, NO_AVAILABLE_NODE, noAvailableNode } from './errors.ts';
export { EwmaNode, type EwmaNodeOptions } from './ewma-node.ts';
export { isNodeFailure } from './failure.ts';
export { metadataFilter, versionFilter } from './filters.ts';
export {
  createNodeProber,
  hasNodeHealth,
  type NodeHealth,
  type NodeProber,
  type NodeProberOptions,
  type ProbeBackoff,
} from './health.ts';
export { createNode, type NodeInit, nodeKey, nodesFromInstances, weightFromMetadata } from './node.ts';
export { type P2cBalancerOptions, p2cBalancer } from './p2c.ts';
export { type RandomBalancerOptions, randomBalancer } from './random.ts';
export { createNodeResolver, type NodeResolver, type NodeResolverOptions } from './resolver.ts';
export { type BalancerName, createSelector, type NodeSelector, type SelectorOptions } from './selector.ts';
export { parseTarget, type Target } from './target.ts';
export { type WrrBalancerOptions, wrrBalancer } from './wrr.ts';
