import { format } from 'node:util';
import type { Logger, LogLevel } from './logger.ts';

/** Options of {@link createLogHelper}. */
export interface LogHelperOptions {
  /** Key of the message field. Default `msg`. */
  messageKey?: string;
  /** Called after a fatal line; default exits the process with status 1, as Go does. */
  onFatal?: () => void;
}

/** Convenience methods over a Logger: `info(...)`, `infof(fmt, ...)`, `infow(k, v, ...)` per level. */
export interface LogHelper {
  readonly logger: Logger;
  log(level: LogLevel, ...keyvals: unknown[]): void;
  debug(...args: unknown[]): void;
  debugf(fmt: string, ...args: unknown[]): void;
  debugw(...keyvals: unknown[]): void;
  info(...args: unknown[]): void;
  infof(fmt: string, ...args: unknown[]): void;
  infow(...keyvals: unknown[]): void;
  warn(...args: unknown[]): void;
  warnf(fmt: string, ...args: unknown[]): void;
  warnw(...keyvals: unknown[]): void;
  error(...args: unknown[]): void;
  errorf(fmt: string, ...args: unknown[]): void;
  errorw(...keyvals: unknown[]): void;
  fatal(...args: unknown[]): void;
  fatalf(fmt: string, ...args: unknown[]): void;
  fatalw(...keyvals: unknown[]): void;
}

/** Wraps a Logger in {@link LogHelper} methods (Go Kratos' `log.NewHelper`). */
export function createLogHelper(logger: Logger, options: LogHelperOptions = {}): LogHelper {
  const key = options.messageKey ?? 'msg';
  const onFatal = options.onFatal ?? (() => process.exit(1));
  const msg = (args: unknown[]) =>
    args.length === 1 && typeof args[0] === 'string' ? args[0] : format(...args);
  const at = (level: LogLevel) => {
    const after = level === 'fatal' ? onFatal : undefined;
    return {
      plain: (...args: unknown[]) => {
        logger.log(level, key, msg(args));
        after?.();
      },
      f: (fmt: string, ...args: unknown[]) => {
        logger.log(level, key, format(fmt, ...args));
        after?.();
      },
      w: (...kv: unknown[]) => {
        logger.log(level, ...kv);
        after?.();
      },
    };
  };
  const d = at('debug');
  const i = at('info');
  const w = at('warn');
  const e = at('error');
  const f = at('fatal');
  return {
    logger,
    log: (level, ...kv) => logger.log(level, ...kv),
    debug: d.plain,
    debugf: d.f,
    debugw: d.w,
    info: i.plain,
    infof: i.f,
    infow: i.w,
    warn: w.plain,
    warnf: w.f,
    warnw: w.w,
    error: e.plain,
    errorf: e.f,
    errorw: e.w,
    fatal: f.plain,
    fatalf: f.f,
    fatalw: f.w,
  };
}
