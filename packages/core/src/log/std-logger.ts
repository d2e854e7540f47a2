import type { Logger, LogLevel } from './logger.ts';

/** Where the std logger writes. */
export interface LineWriter {
  write(line: string): unknown;
}

const needsQuote = /[\s"=]/;

function formatValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v instanceof Error) s = v.message;
  else if (v === undefined) s = '';
  else if (typeof v === 'object' && v !== null) {
    try {
      s = JSON.stringify(v);
    } catch {
      s = String(v);
    }
  } else s = String(v);
  return s === '' || needsQuote.test(s) ? JSON.stringify(s) : s;
}

/**
 * Go Kratos' std logger: one logfmt line per call, `INFO ts=... caller=... msg=...`.
 * An odd trailing key gets the value `KEYVALS UNPAIRED`, as in Go.
 */
export function createStdLogger(out: LineWriter = process.stderr): Logger {
  return {
    log(level: LogLevel, ...kv: unknown[]) {
      if (kv.length === 0) return; // as Go: nothing to say, no line
      let line = level.toUpperCase();
      for (let i = 0; i < kv.length; i += 2) {
        const value = i + 1 < kv.length ? kv[i + 1] : 'KEYVALS UNPAIRED';
        line += ` ${String(kv[i])}=${formatValue(value)}`;
      }
      out.write(`${line}\n`);
    },
  };
}
