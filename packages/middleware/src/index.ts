export {
  CIRCUITBREAKER_REASON,
  type CircuitBreakerOptions,
  circuitBreaker,
  circuitBreakerOpen,
  isBreakerFailure,
  isCircuitBreakerOpen,
} from './circuitbreaker/circuitbreaker.ts';
export {
  type CircuitBreaker,
  createSreBreaker,
  type SreBreaker,
  type SreBreakerOptions,
} from './circuitbreaker/sre.ts';
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
export {
  type BbrLimiter,
  type BbrLimiterOptions,
  type BbrStat,
  createBbrLimiter,
  type Limiter,
  type LimiterDone,
  type LimiterDoneInfo,
} from './ratelimit/bbr.ts';
export { type LoadSignal, loadSnapshot } from './ratelimit/load-signal.ts';
export {
  isRateLimited,
  RATELIMIT_REASON,
  type RateLimitOptions,
  rateLimit,
  rateLimitExceeded,
} from './ratelimit/ratelimit.ts';
export { type RecoveryOptions, recovery } from './recovery/recovery.ts';
export {
  type BackoffOptions,
  createRetryBudget,
  type RetryBudget,
  type RetryBudgetOptions,
  type RetryOptions,
  retry,
} from './retry/retry.ts';
