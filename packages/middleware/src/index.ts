export { clientLogging, type LoggingOptions, serverLogging } from './logging/logging.ts';
export { createRedactor, REDACTED, type Redactor, type RedactorOptions } from './logging/redact.ts';
export {
  type ClientMetadataOptions,
  clientMetadata,
  isPropagatedKey,
  type ServerMetadataOptions,
  serverMetadata,
} from './metadata/metadata.ts';
export {
  clientMetrics,
  DEFAULT_SECONDS_BUCKETS,
  type MetricsOptions,
  OTHER_OPERATION,
  OTHER_REASON,
  serverMetrics,
  UNKNOWN_OPERATION,
} from './metrics/metrics.ts';
export { type RecoveryOptions, recovery } from './recovery/recovery.ts';
