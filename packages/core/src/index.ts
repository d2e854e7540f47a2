export { type App, type AppHook, type AppOptions, createApp } from './app/app.ts';
export type { AppInfo } from './app/app-info.ts';
export { createMemorySource, type MemorySource } from './config/memory-source.ts';
export {
  type RepeatWithBackoffOptions,
  repeatWithBackoff,
} from './config/repeat-with-backoff.ts';
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
export { formatFromKey, type KeyValue, type Source } from './config/source.ts';
export { asyncContext, currentContext, runWithContext } from './context/async-context.ts';
export {
  CallContext,
  type CallSide,
  type Context,
  type ContextInit,
  type ContextKey,
  createContext,
  createContextKey,
  type TransportKind,
} from './context/context.ts';
export {
  createDeadlineTimer,
  type DeadlineHandle,
  type DeadlineTimer,
  type DeadlineTimerOptions,
} from './context/deadline-timer.ts';
export { type Codec, isMessageCodec, type MessageCodec } from './encoding/codec.ts';
export { compareUtf8, goJson, goStringMapJson } from './encoding/go-json.ts';
export { jsonCodec } from './encoding/json.ts';
export { type CodecRegistry, createCodecRegistry, mediaType } from './encoding/registry.ts';
export {
  CLIENT_CLOSED,
  GrpcStatus,
  type GrpcStatusCode,
  grpcToHttpCode,
  httpToGrpcCode,
} from './errors/codes.ts';
export {
  badRequest,
  clientClosed,
  conflict,
  forbidden,
  gatewayTimeout,
  internalServer,
  isBadRequest,
  isClientClosed,
  isConflict,
  isForbidden,
  isGatewayTimeout,
  isInternalServer,
  isNotFound,
  isServiceUnavailable,
  isUnauthorized,
  notFound,
  serviceUnavailable,
  unauthorized,
} from './errors/helpers.ts';
export {
  errorCode,
  errorReason,
  KratosError,
  type KratosErrorBody,
  type KratosErrorOptions,
  UNKNOWN_CODE,
  UNKNOWN_REASON,
} from './errors/kratos-error.ts';
export { defaultLogger } from './log/default-logger.ts';
export { createLogFilter, FILTERED, type LogFilterOptions } from './log/filter.ts';
export { createLogHelper, type LogHelper, type LogHelperOptions } from './log/helper.ts';
export {
  type ChildLogger,
  type FlushableLogger,
  isFlushable,
  isLevelEnabled,
  isValuer,
  LOG_LEVEL_RANK,
  type Logger,
  type LogLevel,
  parseLogLevel,
  type Valuer,
  valuer,
  withFields,
} from './log/logger.ts';
export { createStdLogger, type LineWriter } from './log/std-logger.ts';
export { caller, timestamp } from './log/valuers.ts';
export {
  GLOBAL_METADATA_PREFIX,
  isMetadataKey,
  LOCAL_METADATA_PREFIX,
  Metadata,
  type MetadataInit,
} from './metadata/metadata.ts';
export {
  type Counter,
  type Gauge,
  type MetricOptions,
  type Metrics,
  noopCounter,
  noopGauge,
  noopMetrics,
  noopObserver,
  type Observer,
} from './metrics/metrics.ts';
export {
  applyMiddleware,
  chain,
  type Handler,
  type Middleware,
  type SelectiveMiddleware,
} from './middleware/middleware.ts';
export { type OperationSelector, selector } from './middleware/selector.ts';
export {
  InvalidInstanceError,
  marshalServiceInstance,
  unmarshalServiceInstance,
} from './registry/instance-json.ts';
export { createMemoryRegistry, type MemoryRegistry } from './registry/memory-registry.ts';
export type {
  Discovery,
  Registrar,
  RegistryCallOptions,
  ServiceInstance,
  ServiceWatcher,
} from './registry/registry.ts';
export {
  createServiceWatches,
  type ServiceWatchBackend,
  type ServiceWatches,
  type ServiceWatchesOptions,
} from './registry/service-watches.ts';
export type {
  Balancer,
  DoneFunc,
  DoneInfo,
  Node,
  NodeFilter,
  SelectOptions,
  Selector,
  WeightedNode,
} from './selector/selector.ts';
export type { CallOptions } from './transport/call-options.ts';
export {
  advertisedHost,
  endpointPort,
  isSecureEndpoint,
  joinHostPort,
  newEndpoint,
  parseEndpoint,
  splitEndpoint,
  splitHostPort,
} from './transport/endpoint.ts';
export { pinNextTickShape, pinnedTickObject } from './transport/next-tick-shape.ts';
export {
  type Endpointer,
  isEndpointer,
  type Server,
  type ServerStartOptions,
  type ServerStopOptions,
} from './transport/server.ts';
export {
  createFanout,
  createWatchChannel,
  type Fanout,
  type WatchChannel,
  type Watcher,
} from './watch/watcher.ts';
