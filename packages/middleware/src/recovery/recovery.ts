import { type Context, defaultLogger, KratosError, type Logger, type Middleware } from '@kratos/core';

/** Options of {@link recovery}. */
export interface RecoveryOptions {
  /** Where the stack of an unexpected error is logged. Default: core's default logger. */
  logger?: Logger;
  /**
   * Turns an unexpected error into the error the caller sees. Default: 500 with an empty reason
   * and the message `internal server error`; the original is kept as `cause`, never sent.
   */
  handler?: (ctx: Context, request: unknown, error: unknown) => KratosError;
}

const defaultHandler = (_ctx: Context, _req: unknown, error: unknown) =>
  new KratosError(500, '', 'internal server error', { cause: error });

/**
 * Go Kratos' recovery: a handler that throws something other than a KratosError (a bug, a
 * rejected promise) becomes 500 with an empty reason. The stack is logged with the operation;
 * nothing of it reaches the caller, and the process lives on. KratosErrors pass through untouched:
 * they are answers, not crashes.
 */
export function recovery(options: RecoveryOptions = {}): Middleware {
  const handler = options.handler ?? defaultHandler;
  return (next) => async (ctx, req) => {
    try {
      return await next(ctx, req);
    } catch (error) {
      if (KratosError.is(error)) throw error;
      const logger = options.logger ?? defaultLogger();
      logger.log(
        'error',
        'msg',
        'panic recovered',
        'kind',
        ctx.side,
        'component',
        ctx.kind,
        'operation',
        ctx.operation,
        'error',
        error instanceof Error ? error.message : String(error),
        'stack',
        error instanceof Error ? error.stack : undefined,
      );
      throw handler(ctx, req, error);
    }
  };
}
