/**
 * `@kratos/core/adapter`: the machinery registry adapters, config sources, discovery resolvers,
 * log and metrics backends are built from. Applications do not need it; the contracts they use
 * live in the main entry. One of each mechanism: retry with backoff, the coalescing re-read,
 * shared watches, Go-compatible JSON.
 */
export { checkInstance } from './adapter/check-instance.ts';
export { type Heartbeat, type HeartbeatOptions, startHeartbeat } from './adapter/heartbeat.ts';
export { checkEndpointUrls, positiveOption } from './adapter/options.ts';
export {
  createChangePublisher,
  createOutageLog,
  createPollingWatch,
  type OutageLog,
  type PollingWatchOptions,
} from './adapter/polling-watch.ts';
export {
  createSharedWatch,
  type SharedWatch,
  type SharedWatchOptions,
  sameSet,
  type WatchControl,
} from './config/shared-watch.ts';
export {
  createSharedWatchSource,
  type SharedWatchSource,
  type SharedWatchSourceOptions,
} from './config/shared-watch-source.ts';
export { formatFromKey } from './config/source.ts';
export type { MessageCodec, MessageSchema } from './encoding/codec.ts';
export { compareUtf8, goJson, goStringMapJson } from './encoding/go-json.ts';
export {
  type ChildLogger,
  type FlushableLogger,
  isFlushable,
  isValuer,
  LOG_LEVEL_RANK,
} from './log/logger.ts';
export { type MetricOptions, noopCounter, noopGauge, noopObserver } from './metrics/metrics.ts';
export {
  InvalidInstanceError,
  marshalServiceInstance,
  unmarshalServiceInstance,
} from './registry/instance-json.ts';
export type { RegistryCallOptions } from './registry/registry.ts';
export {
  createServiceWatches,
  type ServiceWatchBackend,
  type ServiceWatches,
  type ServiceWatchesOptions,
} from './registry/service-watches.ts';
export type { Balancer, WeightedNode } from './selector/selector.ts';
export {
  type BackoffOptions,
  type BackoffStep,
  backoffDelay,
  backoffSchedule,
  pause,
  type RepeatWithBackoffOptions,
  type RetryOptions,
  repeatWithBackoff,
  retryWithBackoff,
} from './watch/backoff.ts';
export { type CoalescedTask, type CoalescedTaskOptions, createCoalescedTask } from './watch/coalesce.ts';
export { createFanout, createWatchChannel, type Fanout, type WatchChannel } from './watch/watcher.ts';
