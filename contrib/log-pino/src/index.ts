export { createPinoLogger, type PinoLogger, type PinoLoggerOptions } from './pino-logger.ts';
