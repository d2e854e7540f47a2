import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
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
      const m = /\(?([^()\s]+):(\d+):(\d+)\)?$/.exec(line);
      if (!m) continue;
      if (skipped++ < extraSkip) continue;
      return original(m[1]!, Number(m[2]), Number(m[3]));
    }
    return 'unknown';
  });
}

// Source maps of bundled files, read once per file (null: the file has none).
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map !== undefined) return map;
  map = null;
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
  } catch {
    // An unreadable or malformed map: report the bundled position.
  }
  maps.set(file, map);
  return map;
}

/**
 * `file:line` as Go's `log.Caller` prints it (the base name). A position in a bundled file with a
 * `.map` beside it (every published `@kratos/*` package, or the user's own bundle) is reported at
 * its original source, so a library line reads `server.ts:87`, not `index.js:1351`.
 */
function original(file: string, line: number, column: number): string {
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource && entry.originalLine !== undefined)
    return `${basename(entry.originalSource)}:${entry.originalLine + 1}`;
  return `${basename(file.startsWith('file:') ? fileURLToPath(file) : file)}:${line}`;
}
