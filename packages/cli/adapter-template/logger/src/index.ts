export { type __Name__Logger, type __Name__LoggerOptions, create__Name__Logger } from './__name__-logger.ts';
