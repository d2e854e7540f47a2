/**
 * `@kratos/core`: the contracts (server, registry, config, codec, log, metrics, selector), their
 * no-op and in-memory defaults, `KratosError` and its helpers, `App`, metadata and the log
 * helpers. Transport plumbing lives in `@kratos/core/transport`, the machinery adapters are built
 * from in `@kratos/core/adapter`.
 */
export { type App, type AppHook, type AppOptions, createApp } from './app/app.ts';
export type { AppInfo } from './app/app-info.ts';
export { createMemorySource, type MemorySource } from './config/memory-source.ts';
export type { KeyValue, Source } from './config/source.ts';
export { asyncContext, currentContext } from './context/async-context.ts';
export { type Context, type ContextKey, createContext, createContextKey } from './context/context.ts';
export type { Codec } from './encoding/codec.ts';
export { jsonCodec } from './encoding/json.ts';
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
export { errorCode, errorReason, KratosError, type KratosErrorOptions } from './errors/kratos-error.ts';
export { defaultLogger } from './log/default-logger.ts';
export { createLogFilter, FILTERED, type LogFilterOptions } from './log/filter.ts';
export { createLogHelper, type LogHelper, type LogHelperOptions } from './log/helper.ts';
export {
  isLevelEnabled,
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
  LOCAL_METADATA_PREFIX,
  Metadata,
  type MetadataInit,
} from './metadata/metadata.ts';
export { type Counter, type Gauge, type Metrics, noopMetrics, type Observer } from './metrics/metrics.ts';
export { matchOperations, type OperationMatcher } from './middleware/match-operations.ts';
export { chain, type Handler, type Middleware } from './middleware/middleware.ts';
export { createMemoryRegistry, type MemoryRegistry } from './registry/memory-registry.ts';
export type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from './registry/registry.ts';
export type { Node, NodeFilter, Selector } from './selector/selector.ts';
export type { CallOptions } from './transport/call-options.ts';
export type { Server } from './transport/server.ts';
export type { Watcher } from './watch/watcher.ts';
