import { currentContext } from '../context/async-context.ts';
import type { Context } from '../context/context.ts';

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Numeric rank of each level, for comparisons. */
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  fatal: 4,
};

/** Parses `DEBUG`, `info`, `Warn`, ... ; throws a clear error for anything else. */
export function parseLogLevel(value: string): LogLevel {
  const v = value.toLowerCase();
  if (v in LOG_LEVEL_RANK) return v as LogLevel;
  throw new TypeError(`invalid log level "${value}": want one of debug, info, warn, error, fatal`);
}

/**
 * The logging contract: alternating keys and values. Adapters (pino, ...) implement it; callers
 * usually go through a {@link LogHelper}.
 */
export interface Logger {
  log(level: LogLevel, ...keyvals: unknown[]): void;
  /**
   * Optional: false when a line at `level` would be dropped, so a caller can skip building it
   * (an access line's rendered request, say). Absent means every level is written.
   */
  enabled?(level: LogLevel): boolean;
}

/** True unless `logger` says lines at `level` are dropped (see {@link Logger.enabled}). */
export function isLevelEnabled(logger: Logger, level: LogLevel): boolean {
  return logger.enabled === undefined || logger.enabled(level);
}

/** A logger that can make a child with fixed fields natively (pino's `child`). */
export interface ChildLogger extends Logger {
  with(...keyvals: unknown[]): Logger;
}

/** A logger with buffered output; the App flushes it on stop so no last line is lost. */
export interface FlushableLogger extends Logger {
  flush(): Promise<void>;
}

/** True for a {@link FlushableLogger}. */
export function isFlushable(logger: Logger): logger is FlushableLogger {
  return typeof (logger as Partial<FlushableLogger>).flush === 'function';
}

/**
 * A value computed per log line (timestamp, caller, trace id). It receives the context of the
 * call running now, when the chain has the `asyncContext()` middleware.
 */
export type Valuer = (ctx: Context | undefined) => unknown;

const VALUER: unique symbol = Symbol.for('@kratos/core/Valuer') as never;

/** Marks a function as a {@link Valuer} (plain functions in fields are logged as values). */
export function valuer(fn: Valuer): Valuer {
  Object.defineProperty(fn, VALUER, { value: true });
  return fn;
}

/** True for a function made with {@link valuer} (for loggers that compute valuers themselves). */
export function isValuer(v: unknown): v is Valuer {
  return typeof v === 'function' && (v as unknown as Record<symbol, unknown>)[VALUER] === true;
}

class FieldsLogger implements Logger {
  readonly inner: Logger;
  readonly fields: unknown[];
  readonly hasValuers: boolean;
  constructor(inner: Logger, fields: unknown[]) {
    this.inner = inner;
    this.fields = fields;
    this.hasValuers = fields.some(isValuer);
  }
  log(level: LogLevel, ...keyvals: unknown[]): void {
    let prefix = this.fields;
    if (this.hasValuers) {
      const ctx = currentContext();
      prefix = prefix.map((v) => (isValuer(v) ? v(ctx) : v));
    }
    this.inner.log(level, ...prefix, ...keyvals);
  }
  enabled(level: LogLevel): boolean {
    return isLevelEnabled(this.inner, level);
  }
  flush(): Promise<void> {
    return isFlushable(this.inner) ? this.inner.flush() : Promise.resolve();
  }
}

/**
 * Go Kratos' `log.With`: a logger that prepends fixed key/values to every line. Values made with
 * {@link valuer} are computed per line. Loggers with a native `with` (pino) are asked for a child.
 */
export function withFields(logger: Logger, ...keyvals: unknown[]): Logger {
  if (keyvals.length === 0) return logger;
  const native = logger as Partial<ChildLogger>;
  if (typeof native.with === 'function' && !keyvals.some(isValuer)) return native.with(...keyvals);
  if (logger instanceof FieldsLogger) return new FieldsLogger(logger.inner, [...logger.fields, ...keyvals]);
  return new FieldsLogger(logger, keyvals);
}
