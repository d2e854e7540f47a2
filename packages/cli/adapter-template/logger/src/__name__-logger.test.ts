import { describeLoggerContract, parseLogfmtLine } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { create__Name__Logger } from './index.ts';

// The Logger contract suite of @kratos/testkit (levels, key/values, valuers, filtering, order).
// `lines` decodes what the logger wrote: once `log` calls the __name__ library, read its output
// back here (a memory stream or test transport of the library) as { level, fields }.
describeLoggerContract(
  '__name__',
  ({ level }) => {
    const written: string[] = [];
    return {
      logger: create__Name__Logger({ level, write: (line) => written.push(line) }),
      lines: () => written.map(parseLogfmtLine),
    };
  },
  // The stand-in writes text, so every value comes back as a string; drop this for a JSON backend.
  { stringValues: true },
);

describe('__name__ logger', () => {
  it('writes one line of key=value pairs per call, level first', () => {
    const lines: string[] = [];
    create__Name__Logger({ write: (l) => lines.push(l) }).log('info', 'msg', 'hello world', 'count', 3);
    expect(lines).toEqual(['level=INFO msg="hello world" count=3']);
  });

  it('rejects an unknown level at construction', () => {
    expect(() => create__Name__Logger({ level: 'loud' as 'info' })).toThrow(/unknown level "loud"/);
  });
});
