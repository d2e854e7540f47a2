import { createLogHelper, withFields } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { create__Name__Logger } from './index.ts';

// @kratos/testkit has no logger contract suite yet: these cases check the Logger contract of
// @kratos/core through its own helpers.
describe('__name__ logger', () => {
  const setup = (level?: 'debug' | 'info' | 'warn') => {
    const lines: string[] = [];
    return { lines, logger: create__Name__Logger({ level, write: (l) => lines.push(l) }) };
  };

  it('writes one line of key=value pairs per call, level first', () => {
    const { lines, logger } = setup();
    logger.log('info', 'msg', 'hello world', 'count', 3);
    expect(lines).toEqual(['level=INFO msg="hello world" count=3']);
  });

  it('drops lines below its level and says so through enabled()', () => {
    const { lines, logger } = setup('warn');
    createLogHelper(logger).info('not written');
    createLogHelper(logger).error('written');
    expect(logger.enabled('info')).toBe(false);
    expect(logger.enabled('error')).toBe(true);
    expect(lines).toEqual(['level=ERROR msg=written']);
  });

  it('keeps fixed fields from withFields and marks an unpaired key', () => {
    const { lines, logger } = setup('debug');
    withFields(logger, 'service', 'billing').log('debug', 'lonely');
    expect(lines).toEqual(['level=DEBUG service=billing lonely="KEYVALS UNPAIRED"']);
  });

  it('rejects an unknown level at construction', () => {
    expect(() => create__Name__Logger({ level: 'loud' as 'info' })).toThrow(/unknown level "loud"/);
  });
});
