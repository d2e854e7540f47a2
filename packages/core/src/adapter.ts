/**
 * `@kratos/core/adapter`: the machinery registry adapters, config sources and discovery
 * resolvers are built from. Applications do not need it; the contracts they use live in the
 * main entry. One of each mechanism: retry with backoff, the coalescing re-read, shared watches.
 */
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
export {
  InvalidInstanceError,
  marshalServiceInstance,
  unmarshalServiceInstance,
} from './registry/instance-json.ts';
export {
  createServiceWatches,
  type ServiceWatchBackend,
  type ServiceWatches,
  type ServiceWatchesOptions,
} from './registry/service-watches.ts';
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
