import { type LogLevel, parseLogLevel } from '@kratos/core';
import type { LoggedLine } from './types.ts';

const pair = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

/**
 * Decodes one line of core's std logger (`INFO k=v msg="two words"`, Go Kratos' logfmt) into a
 * {@link LoggedLine}; a repeated key keeps its last value. For adapters that write through
 * `createStdLogger`, to answer {@link LoggerSubject.lines}.
 */
export function parseLogfmtLine(line: string): LoggedLine {
  const text = line.trimEnd();
  const space = text.indexOf(' ');
  const level: LogLevel = parseLogLevel(space < 0 ? text : text.slice(0, space));
  const fields: Record<string, unknown> = {};
  if (space >= 0) {
    for (const m of text.slice(space + 1).matchAll(pair)) {
      const raw = m[2] ?? '';
      fields[m[1] ?? ''] = raw.startsWith('"') ? JSON.parse(raw) : raw;
    }
  }
  return { level, fields };
}
