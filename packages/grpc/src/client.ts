import type {
  ClientUnaryCall,
  CallOptions as GrpcCallOptions,
  Metadata as GrpcMetadata,
  MethodDefinition,
} from '@grpc/grpc-js';
import {
  type CallOptions,
  type Context,
  type Handler,
  KratosError,
  Metadata,
  type Node,
  type Selector,
} from '@kratos/core';
import { applyMiddleware, pinNextTickShape } from '@kratos/core/transport';
import { createNodeResolver, createSelector, hasNodeHealth } from '@kratos/selector';
import { createChannelPool } from './channels.ts';
import {
  type Attempt,
  ClientContext,
  callError,
  droppedBeforeReply,
  excluding,
  fillMetadata,
  idempotentTest,
  link,
  neverSent,
  readAll,
  writeAll,
} from './client-call.ts';
import { followChannelState } from './connectivity.ts';
import { toGrpcMetadata } from './metadata.ts';
import type { GrpcClient, GrpcClientOptions } from './types.ts';

/**
 * Makes a gRPC client for one target. Nodes come from `discovery` (or the fixed addresses of a
 * direct target) through `@kratos/selector`'s resolver into the selector, which balances every
 * call; each node gets one grpc-js channel, reused by every call to it. Unary calls run the
 * client `middleware`; errors come back as the server's KratosError.
 */
export function createGrpcClient(options: GrpcClientOptions): GrpcClient {
  void pinNextTickShape(); // see @kratos/core: keeps process.nextTick's V8 caches valid
  const target = options.endpoint;
  const defaultTimeout = options.timeout ?? 2000;
  const middleware = options.middleware ?? [];
  const selector: Selector = options.selector ?? createSelector();
  const isIdempotent = idempotentTest(options.idempotent);
  let closed = false;
  // Connection-aware picking: a node whose channel cannot connect, or lost its connection, is
  // marked down in the selector (left out of picks) until its channel is READY again.
  const health = hasNodeHealth(selector) ? selector : undefined;
  const channels = createChannelPool(
    options,
    health ? (node, client) => followChannelState(client, node, health) : undefined,
  );
  // Channels of nodes that left the set are retired (closed after a grace period) as sets arrive;
  // with connection-aware picking every node's channel is made and connects at once (a node
  // announced again after it left gets a fresh one, out of grpc-js' reconnect backoff).
  const feed: Selector = {
    apply(nodes) {
      selector.apply(nodes);
      channels.retireAllBut(nodes);
      if (health) for (const n of nodes) channels.channelFor(n);
    },
    select: (ctx, opts) => selector.select(ctx, opts),
  };

  const resolver = createNodeResolver({
    target,
    scheme: 'grpc',
    discovery: options.discovery,
    selector: feed,
    // As Go Kratos: a plaintext client takes only plaintext endpoints, a TLS client only TLS ones
    // (`grpcs://`, or the older `grpc://...?isSecure=true`).
    secure: options.credentials ? options.credentials._isSecure() : options.tls !== undefined,
    logger: options.logger,
  });
  let ready = false;
  resolver.ready().then(
    () => {
      ready = true;
    },
    () => {},
  );

  /** Waits for the first node set, bounded by the call's deadline and cancellation. */
  const awaitNodes = async (ctx: Context): Promise<void> => {
    if (ready) return;
    const signals = [ctx.signal];
    const left = ctx.deadline === undefined ? undefined : ctx.deadline - Date.now();
    if (left !== undefined) signals.push(AbortSignal.timeout(Math.max(0, left)));
    try {
      await resolver.ready(AbortSignal.any(signals));
    } catch (e) {
      if (closed) throw new KratosError(503, 'CLIENT_CLOSED', `grpc client for ${target} is closed`);
      throw KratosError.fromError(e);
    }
  };

  const newContext = (
    operation: string,
    options: CallOptions | undefined,
    timeout: number | undefined,
  ): ClientContext => {
    const ctx = new ClientContext({
      kind: 'grpc',
      side: 'client',
      operation,
      endpoint: target,
      parent: options?.ctx,
      timeout: timeout !== undefined && timeout > 0 ? timeout : undefined,
      signal: options?.signal,
      requestHeader: options?.header === undefined ? undefined : new Metadata(options.header),
    });
    ctx.ownDeadline();
    ctx.linked = options?.ctx !== undefined || options?.signal !== undefined;
    return ctx;
  };

  /** Picks a node and prepares what every call kind needs. */
  const prepare = (ctx: Context): Attempt => {
    if (closed) throw new KratosError(503, 'CLIENT_CLOSED', `grpc client for ${target} is closed`);
    const picked = feed.select(ctx);
    const md = toGrpcMetadata(ctx.requestHeader);
    const callOptions: GrpcCallOptions = ctx.deadline === undefined ? {} : { deadline: ctx.deadline };
    return {
      node: picked.node,
      client: channels.channelFor(picked.node),
      done: picked.done,
      md,
      callOptions,
    };
  };

  /**
   * Transparent retry: the next attempt of a call whose attempt on `failed` never left the client,
   * on a node it has not tried, within its deadline; undefined when there is none. The failed
   * node is marked down (its channel state brings it back). Runs only after such a failure.
   */
  const retryAttempt = (ctx: Context, failed: Attempt, tried: Node[]): Attempt | undefined => {
    if (closed || (ctx.deadline !== undefined && Date.now() >= ctx.deadline)) return undefined;
    health?.markDown(failed.node);
    tried.push(failed.node);
    let picked: ReturnType<Selector['select']>;
    try {
      picked = feed.select(ctx, excluding(tried));
    } catch {
      return undefined; // every node tried
    }
    return {
      node: picked.node,
      client: channels.channelFor(picked.node),
      done: picked.done,
      md: failed.md,
      callOptions: failed.callOptions,
    };
  };

  const chains = new Map<MethodDefinition<unknown, unknown>, Handler>();
  const chainFor = (method: MethodDefinition<unknown, unknown>): Handler => {
    let h = chains.get(method);
    if (h) return h;
    const path = method.path;
    const ser = method.requestSerialize;
    const de = method.responseDeserialize;
    const idempotent = isIdempotent(path);
    /**
     * One attempt of a unary call; a failure that never left the client (or, for an idempotent
     * method, lost its connection before any reply) moves on to another node.
     */
    const attempt = (
      ctx: Context,
      req: unknown,
      p: Attempt,
      tried: Node[] | undefined,
      resolve: (v: unknown) => void,
      reject: (e: unknown) => void,
    ) => {
      // grpc-js captures the caller's stack (`new Error()`) on every call, only to append it to
      // its own errors; under a middleware chain that capture was ~10% of a unary call's CPU.
      // This client hands back KratosErrors, which do not carry it: start the call without it.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      let call: ClientUnaryCall;
      let headerSeen = false;
      try {
        call = p.client.makeUnaryRequest(path, ser, de, req, p.md, p.callOptions, (err, res) => {
          const aborted = unlink();
          if (err) {
            const e = callError(err, aborted);
            p.done({ error: e });
            if (
              aborted === undefined &&
              (neverSent(err, call, p.client) || (idempotent && droppedBeforeReply(err, headerSeen)))
            ) {
              const list = tried ?? [];
              const next = retryAttempt(ctx, p, list);
              if (next !== undefined) return attempt(ctx, req, next, list, resolve, reject);
            }
            reject(e);
          } else {
            p.done({});
            resolve(res);
          }
        });
      } finally {
        Error.stackTraceLimit = limit;
      }
      call.on('metadata', (md: GrpcMetadata) => {
        headerSeen = true;
        fillMetadata(ctx.replyHeader, md);
      });
      const unlink = link(ctx, call);
    };
    const invoke: Handler = (ctx, req) => {
      if (!ready) return awaitNodes(ctx).then(() => invoke(ctx, req));
      let p: Attempt;
      try {
        p = prepare(ctx);
      } catch (e) {
        return Promise.reject(KratosError.fromError(e));
      }
      return new Promise((resolve, reject) => attempt(ctx, req, p, undefined, resolve, reject));
    };
    h = applyMiddleware(invoke, middleware, path);
    chains.set(method, h);
    return h;
  };

  return {
    unary<I, O>(method: MethodDefinition<I, O>, req: I, callOptions?: CallOptions): Promise<O> {
      const ctx = newContext(method.path, callOptions, callOptions?.timeout ?? defaultTimeout);
      return chainFor(method as MethodDefinition<unknown, unknown>)(ctx, req) as Promise<O>;
    },

    serverStream<I, O>(method: MethodDefinition<I, O>, req: I, callOptions?: CallOptions): AsyncIterable<O> {
      return {
        [Symbol.asyncIterator]: () => {
          const ctx = newContext(method.path, callOptions, callOptions?.timeout);
          return (async function* () {
            await awaitNodes(ctx);
            let p: Attempt | undefined = prepare(ctx);
            // Transparent retry until the first message: the request is one message, resent as is.
            const retry = {
              client: p.client,
              idempotent: isIdempotent(method.path),
              wanted: false,
              error: undefined as unknown,
            };
            const tried: Node[] = [];
            while (p !== undefined) {
              const call = p.client.makeServerStreamRequest(
                method.path,
                method.requestSerialize,
                method.responseDeserialize,
                req,
                p.md,
                p.callOptions,
              );
              retry.client = p.client;
              retry.wanted = false;
              yield* readAll<O>(ctx, call, p.done, undefined, retry);
              if (!retry.wanted) return;
              const next = retryAttempt(ctx, p, tried);
              if (next === undefined) throw retry.error;
              p = next;
            }
          })();
        },
      };
    },

    async clientStream<I, O>(
      method: MethodDefinition<I, O>,
      reqs: AsyncIterable<I>,
      callOptions?: CallOptions,
    ): Promise<O> {
      const ctx = newContext(method.path, callOptions, callOptions?.timeout);
      await awaitNodes(ctx);
      const p = prepare(ctx);
      const stop = new AbortController();
      return new Promise<O>((resolve, reject) => {
        let writeError: KratosError | undefined;
        const call = p.client.makeClientStreamRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          p.md,
          p.callOptions,
          (err, res) => {
            stop.abort();
            const aborted = unlink();
            if (err) {
              const e = writeError ?? callError(err, aborted);
              p.done({ error: e });
              reject(e);
            } else {
              p.done({});
              resolve(res as O);
            }
          },
        );
        call.on('metadata', (md: GrpcMetadata) => fillMetadata(ctx.replyHeader, md));
        const unlink = link(ctx, call);
        void writeAll(call, reqs, stop.signal, (e) => {
          writeError = e;
        });
      });
    },

    bidiStream<I, O>(
      method: MethodDefinition<I, O>,
      reqs: AsyncIterable<I>,
      callOptions?: CallOptions,
    ): AsyncIterable<O> {
      return {
        [Symbol.asyncIterator]: () => {
          const ctx = newContext(method.path, callOptions, callOptions?.timeout);
          return (async function* () {
            await awaitNodes(ctx);
            const p = prepare(ctx);
            const call = p.client.makeBidiStreamRequest(
              method.path,
              method.requestSerialize,
              method.responseDeserialize,
              p.md,
              p.callOptions,
            );
            const stop = new AbortController();
            let writeError: KratosError | undefined;
            void writeAll(call, reqs, stop.signal, (e) => {
              writeError = e;
            });
            try {
              yield* readAll<O>(ctx, call, p.done, () => stop.abort());
            } catch (e) {
              throw writeError ?? e;
            }
          })();
        },
      };
    },

    ready(signal?: AbortSignal) {
      return resolver.ready(signal);
    },

    async close() {
      if (closed) return;
      closed = true;
      await resolver.close();
      channels.close();
    },
  };
}
