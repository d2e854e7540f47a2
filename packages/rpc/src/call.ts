// The path of one call, from the request's headers to its last byte: context and deadline,
// reading the request, the middleware chain and handler; the reply is written by reply.ts.
import { once } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { DescMessage, JsonReadOptions, JsonWriteOptions } from '@bufbuild/protobuf';
import { type AppInfo, type Context, createContextKey, type Handler } from '@kratos/core';
import {
  type AdmissionDone,
  type AdmissionLimiter,
  type DeadlineTimer,
  rateLimitedError,
} from '@kratos/core/transport';
import { type GrpcMethodKind, isHealthCheck } from '@kratos/grpc/services';
import { acceptsGzip, type Encoding, encodingOf } from './compression.ts';
import { FLAG_END_STREAM } from './envelope.ts';
import type { Exchange } from './exchange.ts';
import {
  decodeFrame,
  decodeMessage,
  decodeQuery,
  encodeMessage,
  type Payload,
  RequestFailure,
} from './message-codec.ts';
import type { ConnectGetQuery, Wire } from './protocol.ts';
import { Reply } from './reply.ts';
import { type FrameSink, RequestStream, readFrames, readWhole } from './request-body.ts';
import { RpcContext } from './rpc-context.ts';
import { type CallStatus, Code, RpcError, statusOf } from './status.ts';
import { parseConnectTimeout, parseGrpcTimeout } from './timeout.ts';

/** A registered method, resolved once at registration. */
export interface MethodEntry {
  readonly operation: string;
  readonly kind: GrpcMethodKind;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly serialize: (message: unknown) => Buffer;
  /** Message descriptors, for JSON (absent when the service was registered without its file). */
  readonly input: DescMessage | undefined;
  readonly output: DescMessage | undefined;
  /**
   * protobuf-es JSON options, made once per service: unknown fields ignored, and the types of the
   * service's file and its imports as `registry`, for `google.protobuf.Any`.
   */
  readonly jsonRead: Partial<JsonReadOptions>;
  readonly jsonWrite: Partial<JsonWriteOptions>;
  /** `idempotency_level = NO_SIDE_EFFECTS`: Connect GET allowed. */
  readonly idempotent: boolean;
  /** The handler inside its middleware chain. */
  readonly handler: Handler;
}

/** What the server lends every call. */
export interface CallHost {
  readonly timer: DeadlineTimer;
  /** Server timeout of unary calls, ms (0 = none). */
  readonly timeout: number;
  readonly maxReceive: number;
  readonly maxSend: number;
  /** Early admission, asked before the chain (health checks excepted). */
  readonly limiter: AdmissionLimiter | undefined;
  readonly endpoint: string;
  readonly app: AppInfo | undefined;
  /** CORS headers for a browser origin (undefined when not allowed or not asked). */
  corsHeaders(origin: string | undefined): OutgoingHttpHeaders | undefined;
  /** In-flight accounting for graceful stop. */
  begin(): void;
  end(): void;
}

const CALL_KEY = createContextKey<Call>('rpc.call');

/** The answer of a shed call (one object: it is only read). */
const SHED = rateLimitedError();
const noInfo = {};

/**
 * Sends a streaming call's reply header at once rather than with its first message, so a peer
 * waiting for headers is unblocked. Does nothing for unary calls (their header goes with the reply).
 */
export function sendReplyHeader(ctx: Pick<Context, 'get'>): void {
  ctx.get(CALL_KEY)?.flushHeader();
}

/** The call a stream handler writes to (found through the context, so chains are built once). */
export function callOf(ctx: { get: RpcContext['get'] }): Call {
  const call = ctx.get(CALL_KEY);
  if (!call)
    throw new Error('rpc server: stream middleware replaced the context without keeping it as parent');
  return call;
}

// A bare DEADLINE_EXCEEDED, as gRPC servers send it; Kratos clients read it as 504 with reason ''.
const deadlineExceeded = () => new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded');
const onDeadline = (call: Call) => {
  call.ctx.expire();
  call.finish(deadlineExceeded());
};

/**
 * Serves one request with `entry` (undefined: unknown method) over `wire`; `get` is the query of
 * a Connect GET, which carries the request message. Never throws: every failure becomes a status
 * in the call's protocol.
 */
export function serveCall(
  host: CallHost,
  ex: Exchange,
  entry: MethodEntry | undefined,
  wire: Wire,
  get?: ConnectGetQuery,
): void {
  const call = new Call(host, ex, entry, wire, get);
  call.run();
}

export class Call {
  readonly ctx: RpcContext;
  readonly #host: CallHost;
  readonly #ex: Exchange;
  readonly #entry: MethodEntry | undefined;
  readonly #wire: Wire;
  readonly #get: ConnectGetQuery | undefined;
  #recv: Encoding | undefined = 'identity';
  readonly #out: Reply;
  #finished = false;
  /** The limiter's done, while an admitted call runs. */
  #admitted: AdmissionDone | undefined;

  constructor(
    host: CallHost,
    ex: Exchange,
    entry: MethodEntry | undefined,
    wire: Wire,
    get: ConnectGetQuery | undefined,
  ) {
    this.#host = host;
    this.#ex = ex;
    this.#entry = entry;
    this.#wire = wire;
    this.#get = get;
    const h = ex.headers;
    const p = wire.protocol;
    let timeout: number | undefined;
    let send: Encoding = 'identity';
    if (p === 'connect' || p === 'connect-stream') {
      timeout = parseConnectTimeout(h['connect-timeout-ms'] as string | undefined);
      const enc = p === 'connect' ? h['content-encoding'] : h['connect-content-encoding'];
      this.#recv = encodingOf(enc as string | undefined);
      const accept = (p === 'connect' ? h['accept-encoding'] : h['connect-accept-encoding']) as
        | string
        | undefined;
      if (this.#recv === 'gzip' && acceptsGzip(accept)) send = 'gzip';
    } else {
      timeout = parseGrpcTimeout(h['grpc-timeout'] as string | undefined);
      this.#recv = encodingOf(h['grpc-encoding'] as string | undefined);
      if (this.#recv === 'gzip' && acceptsGzip(h['grpc-accept-encoding'] as string | undefined))
        send = 'gzip';
    }
    const unary = entry?.kind === 'unary';
    const serverTimeout = unary && host.timeout > 0 ? host.timeout : undefined;
    const ok = timeout === undefined || Number.isFinite(timeout);
    const own = ok && timeout !== undefined ? timeout : undefined;
    this.ctx = new RpcContext(
      {
        kind: 'grpc',
        side: 'server',
        operation: entry?.operation ?? ex.path,
        endpoint: host.endpoint,
        app: host.app,
        deadline: own === undefined ? undefined : Date.now() + own,
        timeout: serverTimeout,
        raw: ex,
      },
      ex,
    );
    if (!ok) this.#recv = undefined;
    this.#out = new Reply(ex, wire, send === 'gzip', this.ctx, host.corsHeaders(h.origin));
  }

  run(): void {
    this.#host.begin();
    const refused = this.#refusal();
    if (refused) {
      this.finish(refused);
      return;
    }
    const entry = this.#entry!;
    this.ctx.armDeadline(this.#host.timer, onDeadline, this);
    if (entry.kind === 'unary' || entry.kind === 'serverStream') this.#readOne(entry);
    else this.#readStream();
  }

  /** Why the call cannot be served at all, if it cannot. */
  #refusal(): RpcError | undefined {
    const entry = this.#entry;
    if (entry === undefined) return new RpcError(Code.UNIMPLEMENTED, `unknown method ${this.#ex.path}`);
    if (this.#recv === undefined) {
      const bad = this.#ex.headers['grpc-timeout'] ?? this.#ex.headers['connect-timeout-ms'];
      if (bad !== undefined) return new RpcError(Code.INVALID_ARGUMENT, `malformed timeout ${bad}`);
      return new RpcError(Code.UNIMPLEMENTED, 'unsupported compression; accepted: gzip, identity');
    }
    if (this.#wire.codec === 'json' && entry.input === undefined)
      return new RpcError(Code.UNIMPLEMENTED, `JSON is not available for ${entry.operation}`);
    return undefined;
  }

  #readOne(entry: MethodEntry): void {
    const ex = this.#ex;
    if (this.#wire.protocol === 'connect') {
      if (this.#get !== undefined) {
        this.invoke(decodeQuery(entry, this.#wire.codec, this.#get, this.#host.maxReceive));
        return;
      }
      readWhole(ex.body, this.#host.maxReceive, (error, data) => {
        if (error !== undefined) return this.gone(error);
        this.invoke(
          decodeMessage(entry, this.#wire.codec, data!, this.#recv === 'gzip', this.#host.maxReceive),
        );
      });
      return;
    }
    readFrames(ex.body, this.#host.maxReceive, this.#wire.protocol === 'grpc-web-text', new OneMessage(this));
  }

  #readStream(): void {
    const reqs = new RequestStream<unknown>(this.#ex.body);
    readFrames(
      this.#ex.body,
      this.#host.maxReceive,
      this.#wire.protocol === 'grpc-web-text',
      new MessageStream(this, reqs, this.#wire.protocol === 'connect-stream'),
    );
    this.invoke(reqs);
  }

  /** Decodes one request frame (a RequestFailure when it cannot be). */
  decode(flags: number, data: Buffer): unknown {
    return decodeFrame(this.#entry!, this.#wire.codec, flags, data, this.#recv, this.#host.maxReceive);
  }

  /** Runs the chain with the request (or answers its RequestFailure). */
  invoke(req: unknown): void {
    if (this.#finished) return;
    if (req instanceof RequestFailure) {
      this.finish(req.error);
      return;
    }
    const entry = this.#entry!;
    const limiter = this.#host.limiter;
    if (limiter !== undefined && !isHealthCheck(entry.operation)) {
      this.#admitted = limiter.allow();
      if (this.#admitted === undefined) {
        this.finish(SHED);
        return;
      }
    }
    if (entry.kind !== 'unary') {
      this.ctx.set(CALL_KEY, this);
      this.ctx.watchCancel();
    }
    let p: Promise<unknown>;
    try {
      p = entry.handler(this.ctx, req);
    } catch (e) {
      this.finish(e ?? new Error('handler threw'));
      return;
    }
    // A client stream's reply goes out like a unary one.
    if (entry.kind === 'unary' || entry.kind === 'clientStream')
      p.then(
        (reply) => this.#reply(reply),
        (e) => this.#fail(e),
      );
    else
      p.then(
        () => this.finish(undefined),
        (e) => this.#fail(e),
      );
  }

  #reply(reply: unknown): void {
    if (this.#finished) return;
    let bytes: Payload;
    try {
      bytes = encodeMessage(this.#entry!, this.#wire.codec, reply, this.#host.maxSend, this.#out.room);
    } catch (e) {
      this.finish(e);
      return;
    }
    this.finish(undefined, bytes);
  }

  #fail(e: unknown): void {
    this.finish(e ?? new Error('handler failed'));
  }

  /** The body ended early: `error` (a size limit) is answered, else the peer went away. */
  gone(error: unknown): void {
    if (error !== undefined && !this.#ex.closed) {
      this.finish(error);
      return;
    }
    this.ctx.peerGone();
    this.#close();
  }

  /** Sends the reply header now (streams), instead of with the first message. Idempotent. */
  flushHeader(): void {
    if (!this.#finished && !this.#out.headersSent) this.#out.sendHeaders();
  }

  /** Sends one stream message, honouring back-pressure; resolves false once the call is over. */
  async send(message: unknown): Promise<boolean> {
    if (this.#finished) return false;
    const bytes = encodeMessage(this.#entry!, this.#wire.codec, message, this.#host.maxSend, this.#out.room);
    if (!this.#out.headersSent) this.#out.sendHeaders();
    if (!this.#ex.write(this.#out.frame(bytes))) {
      const signal = this.ctx.signal;
      if (signal.aborted) return false;
      await once(this.#ex.drainable, 'drain', { signal }).catch(() => {});
    }
    return !this.#finished && !this.ctx.aborted;
  }

  /** Ends the call with `error` (or OK and the unary `reply` bytes). Idempotent. */
  finish(error: unknown, reply?: Payload): void {
    if (this.#finished) return;
    this.#finished = true;
    this.ctx.finish();
    const ex = this.#ex;
    if (!ex.closed) {
      const status: CallStatus | undefined = error === undefined ? undefined : statusOf(error);
      try {
        this.#out.end(status, reply);
      } catch {
        // A reply that cannot be written (a bad header value) still ends the call.
        if (!ex.closed) ex.reset();
      }
    }
    this.#ended();
  }

  #close(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.ctx.finish();
    this.#ended();
  }

  #ended(): void {
    const done = this.#admitted;
    if (done !== undefined) {
      this.#admitted = undefined;
      done(noInfo);
    }
    this.#host.end();
  }
}

/** Reads the one request message of a unary or server-streaming call, then runs the call. */
class OneMessage implements FrameSink {
  readonly #call: Call;
  #message: unknown;
  #count = 0;

  constructor(call: Call) {
    this.#call = call;
  }

  frame(flags: number, data: Buffer): void {
    if (++this.#count === 1) this.#message = this.#call.decode(flags, data);
  }

  end(truncated: boolean): void {
    const call = this.#call;
    if (truncated) call.finish(new RpcError(Code.INVALID_ARGUMENT, 'truncated request message'));
    else if (this.#count !== 1) {
      const what = this.#count === 0 ? 'no request message' : 'more than one request message';
      call.finish(new RpcError(Code.UNIMPLEMENTED, `${what} for a unary request`));
    } else call.invoke(this.#message);
  }

  fail(error: unknown): void {
    this.#call.finish(error);
  }

  gone(): void {
    this.#call.gone(undefined);
  }
}

/** Feeds the request messages of a client or bidi stream to its RequestStream. */
class MessageStream implements FrameSink {
  readonly #call: Call;
  readonly #reqs: RequestStream<unknown>;
  readonly #connect: boolean;

  constructor(call: Call, reqs: RequestStream<unknown>, connect: boolean) {
    this.#call = call;
    this.#reqs = reqs;
    this.#connect = connect;
  }

  frame(flags: number, data: Buffer): void {
    // Connect streaming ends a request with an end-of-stream message, which carries no request.
    if (this.#connect && flags & FLAG_END_STREAM) return;
    const m = this.#call.decode(flags, data);
    if (m instanceof RequestFailure) this.#reqs.fail(m.error);
    else this.#reqs.push(m);
  }

  end(truncated: boolean): void {
    if (truncated) this.#reqs.fail(new RpcError(Code.INVALID_ARGUMENT, 'truncated request message'));
    else this.#reqs.end();
  }

  fail(error: unknown): void {
    this.#reqs.fail(error);
  }

  gone(): void {
    const ctx = this.#call.ctx;
    ctx.peerGone();
    this.#reqs.fail(ctx.signal.reason);
  }
}
