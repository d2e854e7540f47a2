import { isFlushable, isLevelEnabled, LOG_LEVEL_RANK, type Logger, type LogLevel } from './logger.ts';

/** The mask written in place of filtered keys and values. */
export const FILTERED = '***';

/** Options of {@link createLogFilter}; every option is optional. */
export interface LogFilterOptions {
  /** Lines below this level are dropped. Default `debug` (nothing dropped). */
  level?: LogLevel;
  /** Keys whose values are masked, e.g. `password`. */
  keys?: readonly string[];
  /** Values masked wherever they appear, e.g. a known secret. */
  values?: readonly unknown[];
  /** Drops a line when it returns true. */
  drop?: (level: LogLevel, keyvals: readonly unknown[]) => boolean;
}

/** Go Kratos' `log.NewFilter`: level threshold, masked keys and values, a custom drop predicate. */
export function createLogFilter(logger: Logger, options: LogFilterOptions = {}): Logger {
  const min = LOG_LEVEL_RANK[options.level ?? 'debug'];
  const keys = new Set(options.keys ?? []);
  const values = new Set(options.values ?? []);
  const masking = keys.size > 0 || values.size > 0;
  const filtered: Logger & { enabled(level: LogLevel): boolean; flush(): Promise<void> } = {
    log(level, ...kv) {
      if (LOG_LEVEL_RANK[level] < min) return;
      if (options.drop?.(level, kv)) return;
      if (masking) {
        for (let i = 0; i + 1 < kv.length; i += 2) {
          if (keys.has(String(kv[i])) || values.has(kv[i + 1])) kv[i + 1] = FILTERED;
        }
      }
      logger.log(level, ...kv);
    },
    enabled: (level) => LOG_LEVEL_RANK[level] >= min && isLevelEnabled(logger, level),
    flush: () => (isFlushable(logger) ? logger.flush() : Promise.resolve()),
  };
  return filtered;
}
