import type { Logger, LogLevel } from '@kratos/core';

/** A logger that drops every line, to keep servers and clients in tests quiet. */
export const silentLogger: Logger = { log() {} };

/** What {@link recordLogs} returns. */
export interface RecordedLogs {
  /** The logger to hand to the code under test. */
  logger: Logger;
  /** Each line logged at one of the recorded levels, its keys and values joined by spaces, oldest first. */
  readonly lines: string[];
}

/**
 * A logger that keeps the lines of the given levels as text, for tests that look for a warning
 * (`lines.some((l) => l.includes('disconnected'))`). Other levels are dropped.
 */
export function recordLogs(levels: readonly LogLevel[] = ['warn']): RecordedLogs {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      log(level, ...keyvals) {
        if (levels.includes(level)) lines.push(keyvals.join(' '));
      },
    },
  };
}
