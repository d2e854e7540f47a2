import { type LogLevel, parseLogLevel } from '@kratos/core';
import type { LoggedLine } from './types.ts';

const pair = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

/**
 * Decodes one logfmt line into a {@link LoggedLine}: core's std logger's `INFO k=v msg="two
 * words"` (Go Kratos' shape, level word first) or `level=info k=v` (the level as a field). Quoted
 * values are JSON strings; a repeated key keeps its last value. For adapters whose backend writes
 * logfmt, to answer {@link LoggerSubject.lines}.
 */
export function parseLogfmtLine(line: string): LoggedLine {
  const text = line.trim();
  const space = text.indexOf(' ');
  const first = space < 0 ? text : text.slice(0, space);
  const levelFirst = !first.includes('=');
  const fields: Record<string, unknown> = {};
  for (const m of (levelFirst ? text.slice(first.length) : text).matchAll(pair)) {
    const raw = m[2] ?? '';
    fields[m[1] ?? ''] = raw.startsWith('"') ? JSON.parse(raw) : raw;
  }
  let word = first;
  if (!levelFirst) {
    if (typeof fields.level !== 'string') throw new TypeError(`logfmt line without a level: ${text}`);
    word = fields.level;
    delete fields.level;
  }
  const level: LogLevel = parseLogLevel(word);
  return { level, fields };
}
