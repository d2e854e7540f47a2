import { basename } from 'node:path';
import { type Valuer, valuer } from './logger.ts';

/** The time of the line, ISO 8601 by default. */
export function timestamp(format: (d: Date) => string = (d) => d.toISOString()): Valuer {
  return valuer(() => format(new Date()));
}

const selfFile =
  /[\\/](?:packages[\\/]core[\\/]src[\\/]log|@kratos[\\/]core[\\/]dist|packages[\\/]core[\\/]dist)[\\/]/;

// Core's own tests live next to the logging code but are callers like any other.
const testFile = /\.test\.[cm]?[jt]s:\d+/;

/**
 * `file:line` of the code that logged, skipping frames inside the logging library itself and
 * `extraSkip` more (for wrappers of your own). Costs a stack capture per line.
 */
export function caller(extraSkip = 0, skipPattern?: RegExp): Valuer {
  return valuer(() => {
    const stack = new Error().stack?.split('\n') ?? [];
    let skipped = 0;
    for (let i = 1; i < stack.length; i++) {
      const line = stack[i]!;
      if (
        (selfFile.test(line) && !testFile.test(line)) ||
        line.includes('node:') ||
        skipPattern?.test(line)
      ) {
        continue;
      }
      // Frames without a location (`at Array.map (<anonymous>)`) are not callers: neither
      // reported nor counted against `extraSkip`.
      const m = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(line);
      if (!m) continue;
      if (skipped++ < extraSkip) continue;
      return `${basename(m[1]!)}:${m[2]}`;
    }
    return 'unknown';
  });
}
