// An in-memory transport (like connect-es' createRouterTransport): a core Server and a client in
// one object, joined by a function call instead of a socket. What crosses between them is copied
// as a wire would copy it (structuredClone of messages, string headers, errors as their Kratos
// body), so middleware and handlers see what a real transport would give them.
import {
  type CallOptions,
  type Context,
  type Handler,
  KratosError,
  Metadata,
  type Middleware,
  type Server,
} from '@kratos/core';
import { applyMiddleware, CallContext, isMetadataKey, type ServerStopOptions } from '@kratos/core/transport';

/** A server-streaming handler: the replies of one request. */
export type StreamHandler = (ctx: Context, req: unknown) => AsyncIterable<unknown>;

/** Options of {@link createMemoryTransport}; all optional. */
export interface MemoryTransportOptions {
  /** Server middleware, first outermost. Default none. */
  middleware?: readonly Middleware[];
  /** Client middleware, first outermost. Default none. */
  clientMiddleware?: readonly Middleware[];
}

/** The server half: a core {@link Server} the handlers are registered on. */
export interface MemoryServer extends Server {
  /** Serves `operation` (`/package.Service/Method`) with a unary handler. */
  handle(operation: string, handler: Handler): this;
  /** Serves `operation` with a server-streaming handler. */
  handleStream(operation: string, handler: StreamHandler): this;
}

/** A server and a client joined in memory. */
export interface MemoryTransport {
  readonly server: MemoryServer;
  /** Calls a unary operation; rejects with a KratosError as a network client would. */
  call<Reply = unknown>(operation: string, req: unknown, options?: CallOptions): Promise<Reply>;
  /** Calls a server-streaming operation; the iterable throws a KratosError as a network client would. */
  stream<Reply = unknown>(operation: string, req: unknown, options?: CallOptions): AsyncIterable<Reply>;
}

/** What stopped and never-started servers answer: 503 with this reason. */
export const MEMORY_TRANSPORT_UNAVAILABLE = 'TRANSPORT_UNAVAILABLE';

const KIND = 'memory';
const ENDPOINT = 'memory://local';

/** Copies headers as strings, as a wire carries them. */
function copyHeaders(from: Metadata): Metadata {
  const to = new Metadata();
  for (const [key, values] of from) for (const v of values) to.add(key, String(v));
  return to;
}

/** An error as the client sees it: rebuilt from its wire body. */
function overTheWire(error: unknown): KratosError {
  return KratosError.fromBody(JSON.parse(JSON.stringify(KratosError.fromError(error))));
}

/** The client's own failure when its context ends first: 504 at the deadline, 499 when cancelled. */
function clientEnded(ctx: CallContext): KratosError {
  const reason = ctx.signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? new KratosError(504, '', 'deadline exceeded')
    : new KratosError(499, '', 'call cancelled');
}

/** Makes an in-memory transport. Start `server` (or hand it to an App) before calling. */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const unary = new Map<string, Handler>();
  const streams = new Map<string, StreamHandler>();
  const inFlight = new Set<CallContext>();
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  let drained: (() => void) | undefined;
  const serverMiddleware = options.middleware ?? [];
  const clientMiddleware = options.clientMiddleware ?? [];

  const unavailable = () =>
    new KratosError(503, MEMORY_TRANSPORT_UNAVAILABLE, `memory transport is ${state}`);

  /** The server side of one call: its context, linked to the client's cancellation. */
  const serverContext = (client: CallContext): CallContext => {
    const header = copyHeaders(client.requestHeader);
    const kratos = new Metadata();
    for (const [key, values] of header) {
      if (isMetadataKey(key)) for (const v of values) kratos.add(key, v);
    }
    const ctx = new CallContext({
      kind: KIND,
      side: 'server',
      operation: client.operation,
      endpoint: ENDPOINT,
      requestHeader: header,
      metadata: kratos,
      deadline: client.deadline,
    });
    const signal = client.signal;
    if (signal.aborted) ctx.cancel(signal.reason);
    else signal.addEventListener('abort', () => ctx.cancel(signal.reason), { once: true });
    return ctx;
  };

  const track = (ctx: CallContext): (() => void) => {
    inFlight.add(ctx);
    return () => {
      inFlight.delete(ctx);
      if (inFlight.size === 0) drained?.();
    };
  };

  const clientContext = (operation: string, callOptions: CallOptions): CallContext =>
    new CallContext({
      kind: KIND,
      side: 'client',
      operation,
      endpoint: ENDPOINT,
      parent: callOptions.ctx,
      timeout: callOptions.timeout,
      signal: callOptions.signal,
      requestHeader: new Metadata(callOptions.header),
    });

  /** Sends one unary request: runs the server's chain and copies the outcome back. */
  const send = async (clientCtx: Context, req: unknown): Promise<unknown> => {
    const client = clientCtx as CallContext;
    if (state !== 'running') throw unavailable();
    const handler = unary.get(client.operation);
    if (handler === undefined) throw new KratosError(404, 'NOT_FOUND', `no operation ${client.operation}`);
    const ctx = serverContext(client);
    const done = track(ctx);
    const h = applyMiddleware(handler, serverMiddleware, client.operation);
    const answer = (async () => {
      try {
        const reply = await h(ctx, structuredClone(req));
        // Past its deadline (or cancelled) the server side has answered 504 / 499 already, as a
        // real transport's does, whatever the handler returns afterwards; its deadline and the
        // client's fire at the same instant, in either order.
        if (ctx.signal.aborted) throw clientEnded(ctx);
        return structuredClone(reply);
      } catch (e) {
        throw overTheWire(e);
      } finally {
        for (const [key, values] of ctx.replyHeader) for (const v of values) client.replyHeader.add(key, v);
        done();
      }
    })();
    // The caller stops waiting at its deadline or when it cancels; the server's call runs on
    // (cancelled through its context) as it would behind a socket.
    return raceSignal(answer, client);
  };

  const call = async <Reply>(operation: string, req: unknown, callOptions: CallOptions = {}) => {
    const ctx = clientContext(operation, callOptions);
    const h = applyMiddleware(send, clientMiddleware, operation);
    return (await h(ctx, req)) as Reply;
  };

  async function* stream<Reply>(
    operation: string,
    req: unknown,
    callOptions: CallOptions = {},
  ): AsyncIterable<Reply> {
    const client = clientContext(operation, callOptions);
    if (state !== 'running') throw unavailable();
    const handler = streams.get(operation);
    if (handler === undefined) throw new KratosError(404, 'NOT_FOUND', `no operation ${operation}`);
    const ctx = serverContext(client);
    const done = track(ctx);
    // Middleware wrap the whole stream: `next` settles once the handler's iterable ends or fails.
    const replies: unknown[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: KratosError | undefined;
    const whole: Handler = async (c, r) => {
      for await (const reply of handler(c, r)) {
        replies.push(structuredClone(reply));
        wake?.();
        if (c.signal.aborted) break;
      }
      return undefined;
    };
    applyMiddleware(
      whole,
      serverMiddleware,
      operation,
    )(ctx, structuredClone(req)).then(
      () => {
        finished = true;
        done();
        wake?.();
      },
      (e) => {
        failure = overTheWire(e);
        finished = true;
        done();
        wake?.();
      },
    );
    try {
      for (;;) {
        if (replies.length > 0) {
          yield replies.shift() as Reply;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (finished) return;
        await raceSignal(
          new Promise<void>((resolve) => {
            wake = resolve;
          }),
          client,
        );
      }
    } finally {
      // The reader stopped early (break, or its context ended): the server's call is cancelled.
      if (!finished) client.cancel();
    }
  }

  const server: MemoryServer = {
    handle(operation, handler) {
      unary.set(operation, handler);
      return server;
    },
    handleStream(operation, handler) {
      streams.set(operation, handler);
      return server;
    },
    async start() {
      if (state === 'stopping' || state === 'stopped') throw new Error('memory transport: stopped');
      state = 'running';
    },
    async stop(stopOptions: ServerStopOptions = {}) {
      if (state === 'idle' || state === 'stopped') {
        state = 'stopped';
        return;
      }
      state = 'stopping';
      if (inFlight.size > 0) {
        const all = new Promise<void>((resolve) => {
          drained = resolve;
        });
        const signal = stopOptions.signal;
        const force = () => {
          for (const ctx of inFlight) ctx.cancel(new DOMException('The server stopped.', 'AbortError'));
        };
        if (signal?.aborted) force();
        else signal?.addEventListener('abort', force, { once: true });
        await all;
        signal?.removeEventListener('abort', force);
      }
      state = 'stopped';
    },
  };
  return { server, call, stream };
}

/** `work`, or the client's own failure if its context ends first. */
function raceSignal<T>(work: Promise<T>, ctx: CallContext): Promise<T> {
  const signal = ctx.signal;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(clientEnded(ctx));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(clientEnded(ctx));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
