export {
  createFluentLogger,
  type FluentLogger,
  type FluentLoggerOptions,
  type FluentLoggerStats,
  parseFluentAddress,
} from './fluent-logger.ts';
export { fieldString, LEVEL_TAGS, toRecord, UNPAIRED } from './record.ts';
