import { createRequire } from 'node:module';
import type { Message } from '@bufbuild/protobuf';
import {
  type CallOptions,
  type Codec,
  createContext,
  type Discovery,
  type Handler,
  jsonCodec,
  KratosError,
  type Logger,
  Metadata,
  type MetadataInit,
  type Middleware,
  type Selector,
} from '@kratos/core';
import { applyMiddleware, createCodecRegistry, pinNextTickShape } from '@kratos/core/transport';
import {
  createNode,
  createNodeProber,
  createNodeResolver,
  createSelector,
  hasNodeHealth,
  type NodeResolver,
  type ProbeBackoff,
  parseTarget,
} from '@kratos/selector';
import type { Dispatcher, Agent as UndiciAgent } from 'undici';
import {
  clientResponse,
  compileReplyReader,
  type ErrorDecoder,
  type RequestEncoder,
  type ResponseDecoder,
} from './client-encoders.ts';
import {
  connectionFailure,
  isIdempotent,
  onReusedConnection,
  pickRetry,
  type RetryState,
  tcpProbe,
} from './client-health.ts';
import { compileRequestEncoder } from './client-request.ts';
import { transportError } from './errors.ts';
import { createStreamCaller } from './streaming/client.ts';
import type { HttpRouteDesc } from './types.ts';

/** TLS settings of an HTTPS client. */
export interface HttpClientTlsOptions {
  /** CA certificates to trust (a private CA). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key, for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Server name for SNI and certificate checks, when it differs from the address. */
  servername?: string;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** `http://host:port`, `https://host:port`, `direct:///host:port[,host:port]` or `discovery:///<service>`. */
  endpoint: string;
  /** Required for `discovery:///` targets. */
  discovery?: Discovery;
  /** Default `createSelector()` from @kratos/selector (p2c). */
  selector?: Selector;
  /** Client middleware, first outermost. */
  middleware?: Middleware[];
  /** Per-call timeout in ms when the call gives none. Default 2000. */
  timeout?: number;
  /** Use HTTPS (also implied by an `https://` endpoint). */
  tls?: HttpClientTlsOptions | boolean;
  /** Codec of request bodies (and of replies that come back in it). Default JSON. */
  codec?: Codec;
  /** Headers sent with every call. */
  header?: MetadataInit;
  /** Keep-alive connections per node. Default 64. */
  connections?: number;
  /** For the discovery resolver's warnings. */
  logger?: Logger;
  /**
   * How a node whose connection was refused (or lost, and then refused) is probed back into
   * rotation: a TCP connect after `initialMs` (1000), then x`multiplier` (1.6) up to `maxMs`
   * (30000), ±`jitter` (0.2); each connect gives up after `timeoutMs` (2000). Only with a
   * selector that can mark nodes down (the default one can).
   */
  probe?: ProbeBackoff & { timeoutMs?: number };
  /** Encodes request bodies (Kratos' `WithRequestEncoder`). Default: the codec. */
  encoder?: RequestEncoder;
  /** Decodes 2xx replies (Kratos' `WithResponseDecoder`). Default: the reply's Content-Type codec. */
  decoder?: ResponseDecoder;
  /**
   * Turns replies into errors (Kratos' `WithErrorDecoder`); runs on every reply. Default: non-2xx
   * replies become the KratosError of their body.
   */
  errorDecoder?: ErrorDecoder;
}

/** The HTTP transport client. */
export interface HttpClient {
  /** Calls one RPC binding: request message (or init object) in, reply message out; throws KratosError. */
  invoke<I, O>(desc: HttpRouteDesc, req: I, options?: CallOptions): Promise<O>;
  /**
   * Calls a server-streaming binding (`serverStreaming: true`): its replies, read as
   * newline-delimited JSON, as an async iterable (one call per iteration); see the README.
   */
  stream<I, O>(desc: HttpRouteDesc, req: I, options?: CallOptions): AsyncIterable<O>;
  /** Stops discovery and closes connections. */
  close(): Promise<void>;
}

interface ClientRoute {
  chain: Handler;
}

/**
 * undici, loaded on the first client: a process that only serves HTTP never pays its load time
 * (~45 ms and ~15 MB at start-up on the benchmark machine). It is CommonJS, so `require` is sync.
 */
let undici: { Agent: typeof UndiciAgent } | undefined;
function loadUndici(): { Agent: typeof UndiciAgent } {
  undici ??= createRequire(import.meta.url)('undici') as { Agent: typeof UndiciAgent };
  return undici;
}

/** Makes an HTTP client on undici: one keep-alive pool per node, reused across calls. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  void pinNextTickShape(); // see @kratos/core: keeps process.nextTick's V8 caches valid
  const target = parseTarget(options.endpoint);
  const tlsOption = options.tls;
  const secure = target.scheme === 'https' || (tlsOption !== undefined && tlsOption !== false);
  const scheme = secure ? 'https' : 'http';
  const selector = options.selector ?? createSelector();
  const timeout = options.timeout ?? 2000;
  const codec = options.codec ?? jsonCodec;
  const registry = createCodecRegistry(codec.name === 'json' ? [] : [codec]);
  const middleware = [...(options.middleware ?? [])];
  const baseHeader = new Metadata(options.header);
  const tls = typeof tlsOption === 'object' ? tlsOption : {};
  const agent = new (loadUndici().Agent)({
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    connect: secure
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          servername: tls.servername,
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
        }
      : {},
  });
  if (target.scheme === 'discovery' && options.discovery === undefined) {
    throw new TypeError(`target "${options.endpoint}" needs a discovery`);
  }
  const resolver: NodeResolver = createNodeResolver({
    target: options.endpoint,
    scheme: 'http',
    discovery: options.discovery,
    selector,
    // As Go Kratos: a plaintext client takes only plaintext endpoints, an HTTPS client only TLS ones
    // (`https://`, or the older `http://...?isSecure=true`).
    secure: target.scheme === 'discovery' ? secure : undefined,
    logger: options.logger,
  });
  let ready = false;
  let closed = false;
  const routes = new WeakMap<HttpRouteDesc, ClientRoute>();

  // Connection-aware picking: a node whose connection is refused leaves rotation at once and comes
  // back when a TCP probe connects (with backoff); a lost connection is probed at once.
  const health = hasNodeHealth(selector) ? selector : undefined;
  const probeTimeout = options.probe?.timeoutMs ?? 2000;
  const prober = health
    ? createNodeProber({
        health,
        probe: (node) => tcpProbe(node, probeTimeout),
        backoff: options.probe,
      })
    : undefined;
  if (prober) {
    // A kept-alive socket the peer closed or reset (it died, or closed an idle connection): check
    // the node before a request finds out. undici's own idle closes carry UND_ERR_INFO.
    agent.on('disconnect', (origin: unknown, _targets: unknown, err: unknown) => {
      if (closed || connectionFailure(err) === undefined) return;
      const host = typeof origin === 'string' ? new URL(origin).host : (origin as URL).host;
      prober.check(createNode({ scheme: 'http', address: host }));
    });
  }

  function compile(desc: HttpRouteDesc): ClientRoute {
    const method = desc.method.toUpperCase();
    if (method === '') throw new TypeError(`route ${desc.path}: method is required`);
    const idempotent = isIdempotent(method);
    const encode = compileRequestEncoder(desc, codec, options.encoder);
    const replies = compileReplyReader(desc, options);

    const send: Handler = async (ctx, req) => {
      const { path, body, contentType } = encode(req, ctx);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of ctx.requestHeader) headers[k] = v.length === 1 ? v[0]! : v;
      for (const [k, v] of ctx.metadata)
        if (headers[k] === undefined) headers[k] = v.length === 1 ? v[0]! : v;
      if (body !== undefined) headers['content-type'] = contentType ?? codec.contentType;
      headers.accept = codec.contentType;

      let { node, done } = selector.select(ctx);
      let res: Dispatcher.ResponseData;
      let retry: RetryState | undefined;
      for (;;) {
        try {
          res = await agent.request({
            origin: `${scheme}://${node.address}`,
            path,
            method: method as Dispatcher.HttpMethod,
            headers,
            ...(body !== undefined && { body }),
            signal: ctx.signal,
          });
          break;
        } catch (err) {
          const e = transportError(ctx, err);
          done({ error: e });
          // Transparent retry on another node, within the deadline: a request that never reached
          // a server (refused), or an idempotent one whose connection was lost before any response
          // byte. Each node at most once (see pickRetry).
          const failure = connectionFailure(err);
          if (failure === 'not-connected') prober?.eject(node);
          else if (failure === 'lost') prober?.check(node);
          if (failure === undefined || closed || ctx.signal.aborted || (failure === 'lost' && !idempotent))
            throw e;
          retry ??= { tried: [], sameNode: 0 };
          const next = pickRetry(selector, ctx, node, failure === 'lost' && onReusedConnection(err), retry);
          if (next === undefined) throw e;
          ({ node, done } = next);
        }
      }
      // A call reached a node marked down (picked because every node was): it is back.
      if (health?.isDown(node)) health.markUp(node);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await res.body.arrayBuffer());
      } catch (err) {
        const e = transportError(ctx, err);
        done({ error: e, bytesSent: true });
        throw e;
      }
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        if (typeof v === 'string') ctx.replyHeader.add(k, v);
        else for (const one of v) ctx.replyHeader.add(k, one);
      }
      const response = clientResponse(ctx, desc, res.statusCode, res.headers, bytes);
      const failed = replies.error(response);
      if (failed !== undefined) {
        done({ error: failed, bytesSent: true, bytesReceived: true, replyMetadata: ctx.replyHeader });
        throw failed;
      }
      const ct = res.headers['content-type'];
      const replyCodec = (typeof ct === 'string' ? registry.byContentType(ct) : undefined) ?? codec;
      let out: Message;
      try {
        out = replies.message(response, replyCodec, typeof ct === 'string' ? ct : undefined);
      } catch (err) {
        done({ error: err as Error, bytesSent: true, bytesReceived: true });
        throw err;
      }
      done({ bytesSent: true, bytesReceived: true, replyMetadata: ctx.replyHeader });
      return out;
    };
    return { chain: applyMiddleware(send, middleware, desc.operation) };
  }

  const stream = createStreamCaller({
    agent,
    selector,
    scheme,
    codec,
    baseHeader,
    middleware,
    endpoint: options.endpoint,
    ready: (signal) => resolver.ready(signal),
    closed: () => closed,
  });

  return {
    stream,

    async invoke<I, O>(desc: HttpRouteDesc, req: I, callOptions: CallOptions = {}): Promise<O> {
      if (closed) throw new KratosError(503, '', 'the HTTP client is closed');
      let route = routes.get(desc);
      if (route === undefined) {
        route = compile(desc);
        routes.set(desc, route);
      }
      const requestHeader = baseHeader.clone();
      if (callOptions.header !== undefined) requestHeader.merge(new Metadata(callOptions.header));
      const ctx = createContext({
        kind: 'http',
        side: 'client',
        operation: desc.operation,
        endpoint: options.endpoint,
        parent: callOptions.ctx,
        timeout: callOptions.timeout ?? timeout,
        signal: callOptions.signal,
        requestHeader,
        // The route (method, path template) for client middleware such as retry's idempotency check.
        raw: desc,
      });
      if (!ready) {
        try {
          await resolver.ready(ctx.signal);
          ready = true;
        } catch (err) {
          throw ctx.aborted ? KratosError.fromError(ctx.signal.reason) : KratosError.fromError(err);
        }
      }
      return (await route.chain(ctx, req)) as O;
    },

    async close() {
      if (closed) return;
      closed = true;
      prober?.close();
      await resolver.close();
      await agent.close();
    },
  };
}
