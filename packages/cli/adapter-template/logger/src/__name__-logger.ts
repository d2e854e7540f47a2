import type { Logger, LogLevel } from '@kratos/core';
import { LOG_LEVEL_RANK } from '@kratos/core/adapter';

/** Options of {@link create__Name__Logger}. */
export interface __Name__LoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Where each line goes. Default: process.stdout. */
  write?: (line: string) => void;
}

/** A {@link Logger} on __name__. */
export interface __Name__Logger extends Logger {
  enabled(level: LogLevel): boolean;
}

function text(value: unknown): string {
  if (typeof value === 'string') return /[\s="]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(JSON.stringify(value));
    } catch {
      return JSON.stringify(String(value)); // a cycle: still one line, never a throw
    }
  }
  return String(value);
}

/**
 * Makes a {@link __Name__Logger}: `log(level, ...keyvals)` writes one line of `key=value` pairs,
 * as Go Kratos' std logger does (`level=INFO msg=hello`).
 *
 * Stand-in: lines are logfmt text on `write`. Replace the body of `log` with a call to the __name__
 * library (map the level, pass the key/values as fields) and keep the tests passing.
 */
export function create__Name__Logger(options: __Name__LoggerOptions = {}): __Name__Logger {
  const min = LOG_LEVEL_RANK[options.level ?? 'info'];
  if (min === undefined) throw new TypeError(`create__Name__Logger: unknown level "${options.level}"`);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const enabled = (level: LogLevel) => LOG_LEVEL_RANK[level] >= min;
  return {
    enabled,
    log(level, ...keyvals) {
      if (!enabled(level)) return;
      if (keyvals.length % 2 === 1) keyvals.push('KEYVALS UNPAIRED');
      const parts = [`level=${level.toUpperCase()}`];
      for (let i = 0; i < keyvals.length; i += 2) parts.push(`${String(keyvals[i])}=${text(keyvals[i + 1])}`);
      write(parts.join(' '));
    },
  } satisfies __Name__Logger;
}
