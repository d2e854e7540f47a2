// Writing the replies that are not a codec-encoded message: redirects, streamed bodies and
// google.api.HttpBody replies, and bodies an encoder returned.
import type { FastifyReply } from 'fastify';
import type { EncodedBody } from '../encoders.ts';
import { httpStatus } from '../errors.ts';
import { httpBodyContent } from './http-body.ts';
import { contentDisposition, isRedirector, isStreamedReply, toReadable } from './replies.ts';

/** Bytes as a Buffer without a copy. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Writes a redirect or a streamed reply; false when `out` is neither (a message to encode).
 * Throws (to the error path) for a malformed redirect.
 */
export function writeSpecialReply(reply: FastifyReply, out: unknown): boolean {
  if (out === null || typeof out !== 'object') return false;
  if (isStreamedReply(out)) {
    if (out.headers !== undefined) reply.headers(out.headers);
    if (out.filename !== undefined) reply.header('content-disposition', contentDisposition(out.filename));
    if (out.length !== undefined) reply.header('content-length', out.length);
    reply
      .code(out.status ?? 200)
      .type(out.contentType ?? 'application/octet-stream')
      .send(toReadable(out.body));
    return true;
  }
  if (isRedirector(out)) {
    const [url, status] = out.redirect();
    if (typeof url !== 'string' || !Number.isInteger(status) || status < 300 || status > 399) {
      throw new TypeError(`bad redirect: ${String(status)} ${String(url)}`);
    }
    reply.redirect(url, status);
    return true;
  }
  return false;
}

/** Writes a google.api.HttpBody reply: its data with its Content-Type. */
export function writeHttpBody(reply: FastifyReply, body: unknown): void {
  const { contentType, data } = httpBodyContent(body);
  reply.type(contentType).send(asBuffer(data));
}

/** Writes what an encoder returned. */
export function writeEncoded(reply: FastifyReply, encoded: EncodedBody, defaultStatus: number): void {
  const { body, contentType, status } = encoded;
  reply
    .code(status === undefined ? defaultStatus : httpStatus(status))
    .type(contentType)
    .send(typeof body === 'string' ? body : asBuffer(body));
}
