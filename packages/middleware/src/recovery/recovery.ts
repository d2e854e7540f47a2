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
  const recover = (ctx: Context, req: unknown, error: unknown): KratosError => {
    if (KratosError.is(error)) return error;
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
    return handler(ctx, req, error);
  };
  // Not an async function: a suspended async frame is a heap object per call; one rejection
  // reaction on the handler's promise is less work on the path every request takes.
  return (next) => (ctx, req) => {
    let result: Promise<unknown>;
    try {
      result = next(ctx, req);
    } catch (error) {
      return Promise.reject(recover(ctx, req, error));
    }
    // A handler that returned a plain value (typed as a promise, but JavaScript callers exist).
    if (!(result instanceof Promise)) return Promise.resolve(result);
    return result.then(undefined, (error: unknown) => {
      throw recover(ctx, req, error);
    });
  };
}
