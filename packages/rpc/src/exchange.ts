// One request/response pair, whichever HTTP version carried it: the per-call code writes to this
// and never to node:http2 or node:http directly.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, type ServerHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';

export interface Exchange {
  readonly http2: boolean;
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** The query string without `?` ('' when none). */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body. */
  readonly body: Readable;
  /** True once the response is complete or the peer went away. */
  readonly closed: boolean;
  /**
   * Sends the status line and headers; `end` ends the response with them (no body); `trailers`
   * (HTTP/2 only) promises trailers to {@link end}.
   */
  respond(status: number, headers: OutgoingHttpHeaders, end: boolean, trailers?: boolean): void;
  /** Writes body bytes; false when the peer's window is full (wait for 'drain' on `drainable`). */
  write(chunk: Uint8Array): boolean;
  /** Ends the response with an optional last chunk (a string is UTF-8) and (HTTP/2 only) trailers. */
  end(chunk: Uint8Array | string | undefined, trailers: OutgoingHttpHeaders | undefined): void;
  /** The emitter of 'drain' and 'close'. */
  readonly drainable: NodeJS.EventEmitter;
  /** Abandons the exchange (RST_STREAM CANCEL, or closing the HTTP/1.1 connection). */
  reset(): void;
}

const ignore = () => {};

type TrailersListener = (this: ServerHttp2Stream) => void;
const sendTrailers = (trailers: OutgoingHttpHeaders): TrailersListener =>
  function (this: ServerHttp2Stream) {
    if (!this.closed) this.sendTrailers(trailers);
  };
// Frozen trailers (an OK reply's, the same for every call) share one listener: a stream is only
// collected by a full GC, and a closure per call would be kept, and promoted, with it.
const shared = new WeakMap<OutgoingHttpHeaders, TrailersListener>();
function trailersListener(trailers: OutgoingHttpHeaders): TrailersListener {
  if (!Object.isFrozen(trailers)) return sendTrailers(trailers);
  let listener = shared.get(trailers);
  if (listener === undefined) {
    listener = sendTrailers(trailers);
    shared.set(trailers, listener);
  }
  return listener;
}

function splitPath(raw: string): [string, string] {
  const q = raw.indexOf('?');
  return q < 0 ? [raw, ''] : [raw.slice(0, q), raw.slice(q + 1)];
}

export class Http2Exchange implements Exchange {
  readonly http2 = true;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly stream: ServerHttp2Stream;
  #waits = false;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders) {
    this.stream = stream;
    this.headers = headers;
    this.method = headers[':method'] as string;
    [this.path, this.query] = splitPath((headers[':path'] as string | undefined) ?? '/');
    // A session that fails (a peer's protocol error, say) destroys its open streams with that
    // error: the call learns of it from 'close' (closed is true), and the error itself must not
    // go uncaught (a long-lived stream such as grpc-go's health Watch is open when that happens).
    stream.on('error', ignore);
  }

  get body(): Readable {
    return this.stream;
  }

  get drainable(): NodeJS.EventEmitter {
    return this.stream;
  }

  get closed(): boolean {
    return this.stream.closed || this.stream.destroyed;
  }

  respond(status: number, headers: OutgoingHttpHeaders, end: boolean, trailers = false): void {
    if (this.closed) return;
    // Shared header objects (a gRPC reply's) carry their status already and are not written to.
    if (headers[':status'] !== status) headers[':status'] = status;
    this.#waits = !end && trailers;
    this.stream.respond(headers, { endStream: end, waitForTrailers: this.#waits });
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return true;
    return this.stream.write(chunk);
  }

  end(chunk: Uint8Array | string | undefined, trailers: OutgoingHttpHeaders | undefined): void {
    if (this.closed) return;
    const stream = this.stream;
    // 'wantTrailers' comes once per stream: `on` spares the wrapper `once` makes.
    if (this.#waits) stream.on('wantTrailers', trailersListener(trailers ?? {}));
    stream.end(chunk);
  }

  reset(): void {
    if (!this.stream.closed) this.stream.close(constants.NGHTTP2_CANCEL);
  }
}

export class Http1Exchange implements Exchange {
  readonly http2 = false;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.req = req;
    this.res = res;
    this.headers = req.headers;
    this.method = req.method ?? 'GET';
    [this.path, this.query] = splitPath(req.url ?? '/');
  }

  get body(): Readable {
    return this.req;
  }

  get drainable(): NodeJS.EventEmitter {
    return this.res;
  }

  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  respond(status: number, headers: OutgoingHttpHeaders, end: boolean): void {
    if (this.closed) return;
    this.res.writeHead(status, headers);
    if (end) this.res.end();
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return true;
    return this.res.write(chunk);
  }

  end(chunk: Uint8Array | string | undefined): void {
    if (this.closed) return;
    this.res.end(chunk);
  }

  reset(): void {
    this.res.destroy();
  }
}
