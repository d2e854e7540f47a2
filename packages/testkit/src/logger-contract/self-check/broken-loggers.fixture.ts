import { createStdLogger, type Logger, type LogLevel } from '@kratos/core';
import { LOG_LEVEL_RANK } from '@kratos/core/adapter';
import { describeLoggerContract, parseLogfmtLine } from '../index.ts';

// Loggers with one bug each, run by ../self-check.test.ts in a child vitest: the suite must fail
// exactly the cases that name the bug, and pass the correct one.

type Bug =
  | 'none'
  | 'allInfo'
  | 'firstKeyWins'
  | 'dropsUnpaired'
  | 'noEnabled'
  | 'valuersOnce'
  | 'throwsOnCycle'
  | 'reorders';

function broken(bug: Bug, level: LogLevel, write: (line: string) => void) {
  const pending: string[] = [];
  const std = createStdLogger({
    write: (line) => (bug === 'reorders' ? pending.unshift(line) : write(line)),
  });
  const min = LOG_LEVEL_RANK[level];
  const make = (fixed: unknown[]): Logger & Record<string, unknown> => {
    const logger: Logger & Record<string, unknown> = {
      log(l: LogLevel, ...kv: unknown[]) {
        if (LOG_LEVEL_RANK[l] < min) return;
        let pairs = [...fixed, ...kv];
        if (bug === 'dropsUnpaired' && pairs.length % 2 === 1) pairs = pairs.slice(0, -1);
        if (bug === 'firstKeyWins') {
          const seen = new Set<unknown>();
          const kept: unknown[] = [];
          for (let i = 0; i < pairs.length; i += 2) {
            if (seen.has(pairs[i])) continue;
            seen.add(pairs[i]);
            kept.push(...pairs.slice(i, i + 2));
          }
          pairs = kept;
        }
        if (bug === 'throwsOnCycle')
          pairs = pairs.map((v) => (typeof v === 'object' ? JSON.stringify(v) : v));
        std.log(bug === 'allInfo' ? 'info' : l, ...pairs);
      },
      flush: async () => {
        for (const line of pending.splice(0)) write(line);
      },
    };
    if (bug !== 'noEnabled') logger.enabled = (l: LogLevel) => LOG_LEVEL_RANK[l] >= min;
    if (bug === 'valuersOnce') {
      // a native with() that computes valuers once, when the child is made
      logger.with = (...kv: unknown[]) =>
        make([...fixed, ...kv.map((v) => (typeof v === 'function' ? v(undefined) : v))]);
    }
    return logger;
  };
  return make([]);
}

for (const bug of [
  'none',
  'allInfo',
  'firstKeyWins',
  'dropsUnpaired',
  'noEnabled',
  'valuersOnce',
  'throwsOnCycle',
  'reorders',
] as const) {
  describeLoggerContract(
    bug,
    ({ level }) => {
      const written: string[] = [];
      return {
        logger: broken(bug, level, (l) => written.push(l)),
        lines: () => written.map(parseLogfmtLine),
      };
    },
    { stringValues: true },
  );
}
