import { createStdLogger, defaultLogger } from '@kratos/core';
import { describeLoggerContract, parseLogfmtLine } from './index.ts';

// Core's own loggers pass the suite adapters are held to: the std logger (logfmt lines, no level
// of its own) and the default logger (the std logger on stderr with ts and caller).

describeLoggerContract(
  "core's std logger",
  () => {
    const written: string[] = [];
    return {
      logger: createStdLogger({ write: (line: string) => written.push(line) }),
      lines: () => written.map(parseLogfmtLine),
    };
  },
  { stringValues: true, levelOption: false },
);

const levelWord = /^(DEBUG|INFO|WARN|ERROR|FATAL) /;

describeLoggerContract(
  "core's default logger (on stderr)",
  () => {
    const written: string[] = [];
    const stderr = process.stderr;
    const original = stderr.write;
    // Its lines are read where it writes them: process.stderr (others' output there is left alone).
    stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (levelWord.test(text)) {
        written.push(text);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(stderr, chunk, ...rest);
    }) as typeof stderr.write;
    return {
      logger: defaultLogger(),
      lines: () => written.map(parseLogfmtLine),
      close: () => {
        stderr.write = original;
      },
    };
  },
  { stringValues: true, levelOption: false },
);
