// The per-call path of the gRPC server, top to bottom: a grpc-js call becomes a context, its
// deadline is armed, the middleware chain runs, and the call is answered once (reply, error,
// deadline or nothing if the caller went away). The server (server.ts) keeps registration and
// the lifecycle.
import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
} from '@grpc/grpc-js';
import {
  type AppInfo,
  type Context,
  createContextKey,
  type Handler,
  KratosError,
  type Middleware,
} from '@kratos/core';
import { applyMiddleware, type DeadlineTimer } from '@kratos/core/transport';
import { toGrpcMetadata } from './metadata.ts';
import { InvalidMessage } from './request-message.ts';
import { GrpcServerContext, type ServerSurfaceCall } from './server-context.ts';
import { toGrpcStatus } from './status.ts';
import { pump, requestStream } from './streams.ts';
import type {
  GrpcBidiStreamHandler,
  GrpcClientStreamHandler,
  GrpcMethodHandler,
  GrpcMethodKind,
  GrpcServerStreamHandler,
  GrpcUnaryHandler,
} from './types.ts';

/** What the call path reads of the server's state on every call. */
export interface GrpcServerState {
  app: AppInfo | undefined;
  /** The advertised endpoint, as `ctx.endpoint`. */
  endpoint: string;
}

/** Inputs of {@link createCallPath}, fixed for the server's life. */
export interface CallPathOptions {
  /** Unary deadline, ms; 0 or less: the caller's only. */
  timeout: number;
  middleware: readonly Middleware[];
  streamMiddleware: readonly Middleware[];
  timer: DeadlineTimer;
  state: GrpcServerState;
}

/** A grpc-js method implementation, as `Server.addService` takes it. */
// biome-ignore lint/suspicious/noExplicitAny: grpc-js' UntypedHandleCall takes any call shape
type Impl = (call: any, callback?: any) => void;

/** The gRPC server's call path. */
export interface CallPath {
  /** The grpc-js implementation of one method of `kind`, its chain built once. */
  implFor(kind: GrpcMethodKind, operation: string, handler: GrpcMethodHandler): Impl;
}

const CALL_KEY = createContextKey<ServerSurfaceCall>('grpc.call');

const deadlineExceeded = () => new KratosError(504, '', 'deadline exceeded');

/** How a settled call is answered: `callback` is the unary-style callback, when the call has one. */
type Answer = (
  call: ServerSurfaceCall,
  ctx: GrpcServerContext,
  error: unknown,
  reply: unknown,
  callback: sendUnaryData<unknown> | undefined,
) => void;

/** Unary and client streaming: reply header as initial metadata, then the reply or the status. */
const answerOne: Answer = (call, ctx, error, reply, callback) => {
  const header = ctx.replyHeaderIfAny();
  if (header) call.sendMetadata(toGrpcMetadata(header));
  if (error === undefined) callback!(null, reply);
  else callback!(toGrpcStatus(error));
};

/** Server and bidi streaming: the replies were written by the pump; end, or fail with the status. */
const answerStream: Answer = (call, _ctx, error) => {
  const w = call as ServerWritableStream<unknown, unknown>;
  if (error === undefined) w.end();
  else w.emit('error', toGrpcStatus(error));
};

/** One call being served; `finish` answers it once, whoever comes first. */
interface Running {
  ctx: GrpcServerContext;
  finish(error: unknown, reply?: unknown): void;
}

// One callback for every call's deadline (the call's state is its argument: no closure per call).
const onDeadline = (running: Running): void => {
  running.ctx.expire();
  running.finish(deadlineExceeded());
};

// Stream handlers write to their call; it is found through the context (a derived context that
// keeps the original as parent still finds it), so the chain is built once per method.
const writerOf = (ctx: Context) => {
  const call = ctx.get(CALL_KEY);
  if (!call)
    throw new Error('grpc server: stream middleware replaced the context without keeping it as parent');
  return call as ServerWritableStream<unknown, unknown>;
};

/** Builds the call path once per server. */
export function createCallPath(options: CallPathOptions): CallPath {
  const { timeout, timer, state } = options;

  const newContext = (call: ServerSurfaceCall, operation: string, unary: boolean): GrpcServerContext => {
    const incoming = call.getDeadline();
    const deadline =
      incoming instanceof Date
        ? incoming.getTime()
        : Number.isFinite(incoming)
          ? (incoming as number)
          : undefined;
    return new GrpcServerContext(
      {
        kind: 'grpc',
        side: 'server',
        operation,
        endpoint: state.endpoint,
        app: state.app,
        deadline,
        timeout: unary && timeout > 0 ? timeout : undefined,
        raw: call,
      },
      call,
    );
  };

  /**
   * Runs the chain `h` on `req` and answers the call once: with the chain's outcome, at the
   * deadline, or not at all when the caller has gone away.
   */
  const run = (
    call: ServerSurfaceCall,
    ctx: GrpcServerContext,
    h: Handler,
    req: unknown,
    answer: Answer,
    callback: sendUnaryData<unknown> | undefined,
  ): void => {
    let finished = false;
    const finish = (error: unknown, reply?: unknown) => {
      if (finished) return;
      finished = true;
      ctx.finish();
      if (call.cancelled) return;
      answer(call, ctx, error, reply, callback);
    };
    ctx.armDeadline(timer, onDeadline, { ctx, finish });
    if (req instanceof InvalidMessage) {
      finish(req.error);
      return;
    }
    let p: Promise<unknown>;
    try {
      p = h(ctx, req);
    } catch (e) {
      finish(e ?? new Error('handler threw'));
      return;
    }
    p.then(
      (r) => finish(undefined, r),
      (e) => finish(e ?? new Error('handler failed')),
    );
  };

  /** A streaming call: the call reachable from the context, cancellation watched from the start. */
  const streamContext = (call: ServerSurfaceCall, operation: string): GrpcServerContext => {
    const ctx = newContext(call, operation, false);
    ctx.set(CALL_KEY, call);
    // Streams stop pumping at once when the caller goes away.
    ctx.watchCancel();
    return ctx;
  };

  const unary = (operation: string, handler: GrpcUnaryHandler<unknown, unknown>): Impl => {
    const h = applyMiddleware(handler as Handler, options.middleware, operation);
    // A unary call watches for its caller going away only if the chain looks (ctx.signal).
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      run(call, newContext(call, operation, true), h, call.request, answerOne, callback);
  };

  const serverStream = (operation: string, handler: GrpcServerStreamHandler<unknown, unknown>): Impl => {
    const inner: Handler = async (ctx, req) => {
      await pump(writerOf(ctx), handler(ctx, req), ctx);
      return undefined;
    };
    const h = applyMiddleware(inner, options.streamMiddleware, operation);
    return (call: ServerWritableStream<unknown, unknown>) =>
      run(call, streamContext(call, operation), h, call.request, answerStream, undefined);
  };

  const clientStream = (operation: string, handler: GrpcClientStreamHandler<unknown, unknown>): Impl => {
    const inner: Handler = async (ctx, reqs) => handler(ctx, reqs as AsyncIterable<unknown>);
    const h = applyMiddleware(inner, options.streamMiddleware, operation);
    return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const ctx = streamContext(call, operation);
      run(call, ctx, h, requestStream(call, ctx), answerOne, callback);
    };
  };

  const bidi = (operation: string, handler: GrpcBidiStreamHandler<unknown, unknown>): Impl => {
    const inner: Handler = async (ctx, reqs) => {
      await pump(writerOf(ctx), handler(ctx, reqs as AsyncIterable<unknown>), ctx);
      return undefined;
    };
    const h = applyMiddleware(inner, options.streamMiddleware, operation);
    return (call: ServerDuplexStream<unknown, unknown>) => {
      const ctx = streamContext(call, operation);
      run(call, ctx, h, requestStream(call, ctx), answerStream, undefined);
    };
  };

  return {
    implFor(kind, operation, handler) {
      switch (kind) {
        case 'unary':
          return unary(operation, handler as GrpcUnaryHandler<unknown, unknown>);
        case 'serverStream':
          return serverStream(operation, handler as GrpcServerStreamHandler<unknown, unknown>);
        case 'clientStream':
          return clientStream(operation, handler as GrpcClientStreamHandler<unknown, unknown>);
        case 'bidi':
          return bidi(operation, handler as GrpcBidiStreamHandler<unknown, unknown>);
      }
    },
  };
}
