import { type Logger, withFields } from './logger.ts';
import { createStdLogger } from './std-logger.ts';
import { caller, timestamp } from './valuers.ts';

let fallback: Logger | undefined;

/**
 * Go Kratos' `log.DefaultLogger`: the std logger on stderr with `ts` and `caller`. Made on first
 * use (no import side effects).
 */
export function defaultLogger(): Logger {
  fallback ??= withFields(createStdLogger(), 'ts', timestamp(), 'caller', caller());
  return fallback;
}
