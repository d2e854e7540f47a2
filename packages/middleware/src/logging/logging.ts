import {
  type Context,
  defaultLogger,
  isLevelEnabled,
  KratosError,
  type Logger,
  type LogLevel,
  type Middleware,
} from '@kratos/core';
import { createRedactor, type Redactor } from './redact.ts';

/** Options of {@link serverLogging} and {@link clientLogging}. */
export interface LoggingOptions {
  /** Where the lines go. Default: core's `defaultLogger()`. */
  logger?: Logger;
  /**
   * Renders the request into the `args` field. Default {@link createRedactor}`()`: a short JSON of
   * the request with password/token/secret-like fields masked. `false` logs no arguments (`args`
   * is empty), for requests that must never reach logs or to save the rendering cost.
   */
  redact?: Redactor | false;
  /** The `msg` of each line. Default `server request` / `client request` (Go Kratos v3's). */
  message?: string;
  /** Level of successful calls. Default `info`; failures are always `error`. */
  level?: LogLevel;
  /**
   * Share of successful calls that get a line, from 0 to 1; failures are always logged. Default 1
   * (every call, as Go Kratos). 0.01 logs one success in a hundred, evenly spaced (not random):
   * a busy route keeps its errors and a trickle of successes for a fraction of the cost.
   */
  sample?: number;
}

const OK_CODE = 200;
const noArgs: Redactor = () => '';

function logging(side: 'server' | 'client', options: LoggingOptions): Middleware {
  const redact = options.redact === false ? noArgs : (options.redact ?? createRedactor());
  const message = options.message ?? `${side} request`;
  const okLevel = options.level ?? 'info';
  const fixed = options.logger;
  const sample = options.sample ?? 1;
  if (typeof sample !== 'number' || !(sample >= 0 && sample <= 1)) {
    throw new TypeError(`logging: sample must be a number from 0 to 1, got ${String(options.sample)}`);
  }
  // Evenly spaced: the n-th success gets a line when floor(n x sample) steps up.
  let successes = 0;
  const sampled = (): boolean => {
    if (sample === 1) return true;
    const before = Math.floor(successes * sample);
    successes++;
    return Math.floor(successes * sample) > before;
  };
  return (next) => {
    // Resolved when the chain is built (once per route), not per request.
    const logger = fixed ?? defaultLogger();
    const done = (ctx: Context, req: unknown, start: number, error: unknown, failed: boolean) => {
      const latency = (performance.now() - start) / 1000;
      let args: string;
      try {
        args = redact(req);
      } catch {
        args = '<unprintable>';
      }
      if (!failed) {
        logger.log(
          okLevel,
          'msg',
          message,
          'kind',
          side,
          'component',
          ctx.kind,
          'operation',
          ctx.operation,
          'args',
          args,
          'code',
          OK_CODE,
          'reason',
          '',
          'latency',
          latency,
        );
        return;
      }
      const e = KratosError.fromError(error);
      const cause = error instanceof Error ? error : e;
      logger.log(
        'error',
        'msg',
        message,
        'kind',
        side,
        'component',
        ctx.kind,
        'operation',
        ctx.operation,
        'args',
        args,
        'code',
        e.code,
        'reason',
        e.reason,
        'error',
        e.message,
        'stack',
        cause.stack ?? '',
        'latency',
        latency,
      );
    };
    return (ctx, req) => {
      const start = performance.now();
      let p: Promise<unknown>;
      try {
        p = next(ctx, req);
      } catch (err) {
        p = Promise.reject(err);
      }
      return p.then(
        (reply) => {
          if (isLevelEnabled(logger, okLevel) && sampled()) done(ctx, req, start, undefined, false);
          return reply;
        },
        (err: unknown) => {
          if (isLevelEnabled(logger, 'error')) done(ctx, req, start, err, true);
          throw err;
        },
      );
    };
  };
}

/**
 * Go Kratos' `logging.Server`: one line per handled call with `kind=server`, `component` (http or
 * grpc), `operation`, `args` (through the redactor), `code`, `reason`, on failure `error` and
 * `stack`, and `latency` in seconds. Info on success, error on failure. Logging every request
 * costs a large share of throughput (see PERFORMANCE.md): keep it out of hot chains or apply it
 * to chosen operations with core's `matchOperations(...)`.
 */
export function serverLogging(options: LoggingOptions = {}): Middleware {
  return logging('server', options);
}

/** Go Kratos' `logging.Client`: the same line as {@link serverLogging}, with `kind=client`. */
export function clientLogging(options: LoggingOptions = {}): Middleware {
  return logging('client', options);
}
