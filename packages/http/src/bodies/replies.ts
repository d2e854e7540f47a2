// Replies a handler returns instead of a message: a redirect (Kratos' Redirector) and a streamed
// body (a file download). The call path writes them as they are, past the response encoder.
import { Readable } from 'node:stream';

/**
 * A reply that redirects (Kratos' `http.Redirector`): `redirect()` gives the URL (which may be a
 * path relative to the request's) and a 3xx status. Any reply object with such a method
 * redirects, so a message can carry one: `Object.assign(create(ReplySchema), newRedirect(url))`.
 */
export interface Redirector {
  redirect(): readonly [url: string, status: number];
}

/** True for a reply that implements {@link Redirector}. */
export function isRedirector(v: unknown): v is Redirector {
  return v !== null && typeof v === 'object' && typeof (v as { redirect?: unknown }).redirect === 'function';
}

/** A redirect to `url` with `status` (Kratos' `NewRedirect`): 301, 302 (default), 303, 307 or 308. */
export function newRedirect(url: string, status = 302): Redirector {
  if (!Number.isInteger(status) || status < 300 || status > 399) {
    throw new RangeError(`a redirect status is 3xx, got ${status}`);
  }
  const target: readonly [string, number] = [url, status];
  return { redirect: () => target };
}

/** A body read as it is written: a Node stream, a web stream, or any async iterable of chunks. */
export type StreamSource = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/** How a {@link streamReply} is sent. */
export interface StreamReplyInit {
  /** Default `application/octet-stream`. */
  contentType?: string;
  /** Default 200. */
  status?: number;
  /** Sent as Content-Length when known (else the reply is chunked). */
  length?: number;
  /** Adds `Content-Disposition: attachment` with this file name. */
  filename?: string;
  /** More reply headers. */
  headers?: Record<string, string>;
}

const STREAMED = Symbol.for('kratos.http.streamedReply');

/** A reply whose body is streamed to the client (see {@link streamReply}). */
export interface StreamedReply extends StreamReplyInit {
  readonly [STREAMED]: true;
  readonly body: StreamSource;
}

/**
 * A streamed reply: the body goes to the client as it is read, never held whole (file downloads,
 * large exports). Headers go out before the first chunk; a stream that fails later ends the
 * response early (the client sees a truncated body). The client going away destroys the stream.
 */
export function streamReply(body: StreamSource, init: StreamReplyInit = {}): StreamedReply {
  return { ...init, body, [STREAMED]: true };
}

/** True for a {@link streamReply}. */
export function isStreamedReply(v: unknown): v is StreamedReply {
  return v !== null && typeof v === 'object' && (v as { [STREAMED]?: unknown })[STREAMED] === true;
}

/** A Node Readable of any stream source (fastify sends Node streams and web streams). */
export function toReadable(body: StreamSource): Readable | ReadableStream<Uint8Array> {
  if (body instanceof Readable) return body;
  if (typeof (body as ReadableStream).getReader === 'function') return body as ReadableStream<Uint8Array>;
  return Readable.from(body as AsyncIterable<Uint8Array | string>, { objectMode: false });
}

/** `attachment` with the file name, ASCII fallback and RFC 5987 UTF-8 form. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
