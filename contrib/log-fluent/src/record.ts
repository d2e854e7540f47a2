import type { LogLevel } from '@kratos/core';

/** Go Kratos' `level.String()`: the tag (after the prefix) of a line at each level. */
export const LEVEL_TAGS: Readonly<Record<LogLevel, string>> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
};

/** The value Go's `fmt.Sprint` gives a missing value of an odd trailing key. */
export const UNPAIRED = 'KEYVALS UNPAIRED';

/**
 * A field value as a string, as Go Kratos' fluent logger sends every value (`fmt.Sprint`):
 * strings as they are, numbers and booleans in decimal/`true`, `null`/`undefined` as Go's `<nil>`,
 * errors as their message, dates in ISO 8601, other objects as JSON.
 */
export function fieldString(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'undefined':
      return '<nil>';
    case 'symbol':
      return v.toString();
    case 'function':
      return `[function ${v.name || 'anonymous'}]`;
  }
  if (v === null) return '<nil>';
  if (v instanceof Error) return v.message;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * The record of one line: every key/value pair as `String(key) -> fieldString(value)` (a later
 * repeated key wins, as in Go's map), an odd trailing key paired with `KEYVALS UNPAIRED`.
 */
export function toRecord(keyvals: readonly unknown[]): Record<string, string> {
  // no prototype: a `__proto__` key is a field like any other
  const record = Object.create(null) as Record<string, string>;
  for (let i = 0; i < keyvals.length; i += 2) {
    record[fieldString(keyvals[i])] = i + 1 < keyvals.length ? fieldString(keyvals[i + 1]) : UNPAIRED;
  }
  return record;
}
