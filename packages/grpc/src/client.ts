import { once } from 'node:events';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import {
  type ChannelCredentials,
  type ChannelOptions,
  Client,
  type ClientUnaryCall,
  type CallOptions as GrpcCallOptions,
  type Metadata as GrpcMetadata,
  credentials as grpcCredentials,
  type MethodDefinition,
} from '@grpc/grpc-js';
import {
  applyMiddleware,
  CallContext,
  type CallOptions,
  type Context,
  type DoneFunc,
  type Handler,
  KratosError,
  Metadata,
  type Node,
  pinNextTickShape,
  type Selector,
  splitHostPort,
} from '@kratos/core';
import { createNodeResolver, createSelector } from '@kratos/selector';
import { toGrpcMetadata } from './metadata.ts';
import { fromServiceError } from './status.ts';
import type { GrpcClient, GrpcClientOptions } from './types.ts';

/**
 * A client call's context. grpc-js enforces the deadline itself (it is sent as `grpc-timeout`),
 * so the context owns no timer; `linked` says whether a caller's signal or parent context can
 * cancel the call, the only case in which the call listens to `signal` at all.
 */
class ClientContext extends CallContext {
  linked = false;
}

/** How long a channel to a node that left the set stays open for calls still running on it. */
const STALE_CHANNEL_GRACE_MS = 30_000;

const noReason = (): undefined => undefined;

/** Copies received metadata into a core Metadata (binary values as base64). */
function fillMetadata(into: Metadata, md: GrpcMetadata): void {
  const repr = md.toJSON();
  for (const key in repr)
    for (const v of repr[key]!) into.add(key, typeof v === 'string' ? v : v.toString('base64'));
}

function channelCredentials(
  options: GrpcClientOptions,
  checkIdentity?: (host: string, cert: PeerCertificate) => Error | undefined,
): ChannelCredentials {
  if (options.credentials) return options.credentials;
  const tls = options.tls;
  if (!tls) return grpcCredentials.createInsecure();
  const buf = (v: string | Buffer | undefined) =>
    v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;
  return grpcCredentials.createSsl(
    buf(tls.ca),
    buf(tls.key),
    buf(tls.cert),
    checkIdentity ? { checkServerIdentity: checkIdentity } : undefined,
  );
}

/**
 * Channel options and credentials for a TLS channel to an IP address. grpc-js sends the target's
 * host as the TLS server name, and an IP address there is refused by Node 26 (a warning before,
 * DEP0123; RFC 6066 forbids it). So the server name becomes the node's service name, as Go Kratos'
 * resolver does (`ServerName: instance.Name`), and the certificate is accepted for either the IP
 * address dialled or that name. `tls.serverName` overrides both. `undefined` when the defaults are
 * fine (no TLS, a host name, or your own credentials).
 */
function ipTlsChannel(
  options: GrpcClientOptions,
  node: Node,
  base: ChannelOptions,
): { creds: ChannelCredentials; channelOptions: ChannelOptions } | undefined {
  if (!options.tls || options.credentials || options.tls.serverName) return undefined;
  const ip = /:\d+$/.test(node.address) ? splitHostPort(node.address).host : node.address;
  if (isIP(ip) === 0) return undefined;
  // A direct target has no service name: some non-IP server name must still be sent, and the
  // certificate is then checked against the IP address only.
  const name = node.serviceName && isIP(node.serviceName) === 0 ? node.serviceName : undefined;
  const creds = channelCredentials(options, (_sni, cert) => {
    const byIp = checkServerIdentity(ip, cert);
    if (byIp === undefined || name === undefined) return byIp;
    return checkServerIdentity(name, cert) === undefined ? undefined : byIp;
  });
  return { creds, channelOptions: { ...base, 'grpc.ssl_target_name_override': name ?? 'localhost' } };
}

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
  const creds = channelCredentials(options);
  const channelOptions: ChannelOptions = { ...options.channelOptions };
  if (options.tls?.serverName) channelOptions['grpc.ssl_target_name_override'] = options.tls.serverName;
  const selector: Selector = options.selector ?? createSelector();

  const channels = new Map<string, Client>();
  const retiring = new Map<string, NodeJS.Timeout>();
  let closed = false;

  const channelFor = (node: Node): Client => {
    let c = channels.get(node.address);
    if (c === undefined) {
      const ipTls = ipTlsChannel(options, node, channelOptions);
      c = ipTls
        ? new Client(node.address, ipTls.creds, ipTls.channelOptions)
        : new Client(node.address, creds, channelOptions);
      channels.set(node.address, c);
    }
    return c;
  };

  // Channels of nodes that left the set are closed after a grace period (calls on them finish);
  // a node that comes back in the meantime keeps its channel.
  const feed: Selector = {
    apply(nodes) {
      selector.apply(nodes);
      const live = new Set(nodes.map((n) => n.address));
      for (const address of live) {
        const t = retiring.get(address);
        if (t) {
          clearTimeout(t);
          retiring.delete(address);
        }
      }
      for (const address of channels.keys()) {
        if (live.has(address) || retiring.has(address)) continue;
        const t = setTimeout(() => {
          retiring.delete(address);
          channels.get(address)?.close();
          channels.delete(address);
        }, STALE_CHANNEL_GRACE_MS);
        t.unref();
        retiring.set(address, t);
      }
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

  const listens = (ctx: Context) => !(ctx instanceof ClientContext) || ctx.linked;

  /** Picks a node and prepares what every call kind needs. */
  const prepare = (ctx: Context) => {
    if (closed) throw new KratosError(503, 'CLIENT_CLOSED', `grpc client for ${target} is closed`);
    const picked = feed.select(ctx);
    const md = toGrpcMetadata(ctx.requestHeader);
    const callOptions: GrpcCallOptions = ctx.deadline === undefined ? {} : { deadline: ctx.deadline };
    return { client: channelFor(picked.node), done: picked.done, md, callOptions };
  };

  /**
   * Cancels `call` when the context aborts. Returns the unlink, which also tells why the call was
   * aborted: a parent's deadline (TimeoutError) must come back as 504, not as the CANCELLED
   * status the cancel itself produces.
   */
  const link = (ctx: Context, call: { cancel(): void }): (() => unknown) => {
    if (!listens(ctx)) return noReason;
    const signal = ctx.signal;
    if (signal.aborted) {
      call.cancel();
      return () => signal.reason;
    }
    let reason: unknown;
    const onAbort = () => {
      reason = signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
      call.cancel();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      signal.removeEventListener('abort', onAbort);
      return reason;
    };
  };

  /** The error of a failed call: the abort reason when the caller aborted it, else the peer's status. */
  const callError = (err: unknown, abortReason: unknown): KratosError =>
    abortReason === undefined ? fromServiceError(err) : KratosError.fromError(abortReason);

  const chains = new Map<MethodDefinition<unknown, unknown>, Handler>();
  const chainFor = (method: MethodDefinition<unknown, unknown>): Handler => {
    let h = chains.get(method);
    if (h) return h;
    const path = method.path;
    const ser = method.requestSerialize;
    const de = method.responseDeserialize;
    const invoke: Handler = (ctx, req) => {
      if (!ready) return awaitNodes(ctx).then(() => invoke(ctx, req));
      let p: ReturnType<typeof prepare>;
      try {
        p = prepare(ctx);
      } catch (e) {
        return Promise.reject(KratosError.fromError(e));
      }
      return new Promise((resolve, reject) => {
        // grpc-js captures the caller's stack (`new Error()`) on every call, only to append it to
        // its own errors; under a middleware chain that capture was ~10% of a unary call's CPU.
        // This client hands back KratosErrors, which do not carry it: start the call without it.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        let call: ClientUnaryCall;
        try {
          call = p.client.makeUnaryRequest(path, ser, de, req, p.md, p.callOptions, (err, res) => {
            const aborted = unlink();
            if (err) {
              const e = callError(err, aborted);
              p.done({ error: e });
              reject(e);
            } else {
              p.done({});
              resolve(res);
            }
          });
        } finally {
          Error.stackTraceLimit = limit;
        }
        call.on('metadata', (md: GrpcMetadata) => fillMetadata(ctx.replyHeader, md));
        const unlink = link(ctx, call);
      });
    };
    h = applyMiddleware(invoke, middleware, path);
    chains.set(method, h);
    return h;
  };

  async function* readAll<O>(
    ctx: Context,
    call: AsyncIterable<O> & { cancel(): void; on(e: 'metadata', l: (md: GrpcMetadata) => void): unknown },
    done: DoneFunc,
    onEnd?: () => void,
  ): AsyncGenerator<O> {
    call.on('metadata', (md) => fillMetadata(ctx.replyHeader, md));
    const unlink = link(ctx, call);
    let error: unknown;
    let finished = false;
    try {
      for await (const m of call) yield m;
      finished = true;
    } catch (e) {
      finished = true;
      error = callError(e, unlink());
      throw error;
    } finally {
      unlink();
      onEnd?.();
      if (!finished) call.cancel();
      done(error === undefined ? {} : { error });
    }
  }

  /** Writes `reqs` to a client-streaming call; cancels it when reading `reqs` fails. */
  const writeAll = async <I>(
    call: { write(m: I): boolean; end(): void; cancel(): void } & NodeJS.EventEmitter,
    reqs: AsyncIterable<I>,
    stop: AbortSignal,
    onError: (e: KratosError) => void,
  ) => {
    try {
      for await (const r of reqs) {
        if (stop.aborted) return;
        if (!call.write(r)) await once(call, 'drain', { signal: stop });
      }
      if (!stop.aborted) call.end();
    } catch (e) {
      if (stop.aborted) return;
      call.cancel();
      onError(KratosError.fromError(e));
    }
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
            const p = prepare(ctx);
            const call = p.client.makeServerStreamRequest(
              method.path,
              method.requestSerialize,
              method.responseDeserialize,
              req,
              p.md,
              p.callOptions,
            );
            yield* readAll<O>(ctx, call, p.done);
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
      for (const t of retiring.values()) clearTimeout(t);
      retiring.clear();
      for (const c of channels.values()) c.close();
      channels.clear();
    },
  };
}
