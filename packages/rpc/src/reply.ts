// The writing half of a call: the reply header, message frames and the end of the reply in the
// call's protocol (gRPC trailers or Trailers-Only, gRPC-Web's trailer frame, Connect's unary body
// or error JSON, Connect streaming's end-of-stream message).
import type { OutgoingHttpHeaders } from 'node:http';
import { compress } from './compression.ts';
import {
  ENVELOPE_HEADER_BYTES,
  encodeEnvelope,
  FLAG_COMPRESSED,
  FLAG_END_STREAM,
  FLAG_TRAILERS,
  putEnvelopeHeader,
} from './envelope.ts';
import type { Exchange } from './exchange.ts';
import { type Payload, payloadBytes, payloadSize } from './message-codec.ts';
import { addHeaders, trailerIfAny } from './metadata.ts';
import type { Wire } from './protocol.ts';
import type { RpcContext } from './rpc-context.ts';
import { type CallStatus, Code, connectErrorJson, connectHttpStatus, grpcStatusHeaders } from './status.ts';

/** The reply of one call; the call reads the request and runs the chain (call.ts). */
export class Reply {
  /** True once the reply header went out (or, for Connect unary, was given up to go with the body). */
  headersSent = false;
  /**
   * Bytes a protobuf payload leaves free in front for its frame header, written there by
   * {@link frame}: a header's bytes where a message goes out framed as it is (not compressed, not
   * base64), else 0.
   */
  readonly room: number;
  readonly #ex: Exchange;
  readonly #wire: Wire;
  readonly #gzip: boolean;
  readonly #ctx: RpcContext;
  readonly #cors: OutgoingHttpHeaders | undefined;

  constructor(
    ex: Exchange,
    wire: Wire,
    gzip: boolean,
    ctx: RpcContext,
    cors: OutgoingHttpHeaders | undefined,
  ) {
    this.#ex = ex;
    this.#wire = wire;
    this.#gzip = gzip;
    this.#ctx = ctx;
    this.#cors = cors;
    const p = wire.protocol;
    this.room =
      wire.codec === 'proto' && !gzip && (p === 'grpc' || p === 'grpc-web' || p === 'connect-stream')
        ? ENVELOPE_HEADER_BYTES
        : 0;
  }

  /** One message as a frame of the call's protocol (compressed, base64 for gRPC-Web text). */
  frame(payload: Payload): Uint8Array {
    if (this.room !== 0 && typeof payload !== 'string') {
      // encodeMessage left the room: the header goes in front of the message, where it is.
      putEnvelopeHeader(payload, 0, payload.byteLength - ENVELOPE_HEADER_BYTES);
      return payload;
    }
    const bytes = payloadBytes(payload);
    const gz = this.#gzip;
    const framed = encodeEnvelope(gz ? FLAG_COMPRESSED : 0, gz ? compress(bytes) : bytes);
    return this.#wire.protocol === 'grpc-web-text'
      ? Buffer.from(framed.toString('base64'), 'latin1')
      : framed;
  }

  #baseHeaders(): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { 'content-type': this.#wire.contentType };
    const p = this.#wire.protocol;
    if (this.#gzip) {
      if (p === 'connect') headers['content-encoding'] = 'gzip';
      else if (p === 'connect-stream') headers['connect-content-encoding'] = 'gzip';
      else headers['grpc-encoding'] = 'gzip';
    }
    if (p === 'grpc' || p === 'grpc-web' || p === 'grpc-web-text') headers['grpc-accept-encoding'] = 'gzip';
    else headers[p === 'connect' ? 'accept-encoding' : 'connect-accept-encoding'] = 'gzip';
    const reply = this.#ctx.replyHeaderIfAny();
    if (reply) addHeaders(reply, headers);
    if (this.#cors) Object.assign(headers, this.#cors);
    return headers;
  }

  /** Sends the reply header (Connect unary sends it with the body instead). */
  sendHeaders(): void {
    this.headersSent = true;
    const wire = this.#wire;
    if (wire.protocol === 'connect') return;
    const plain = wire.plainHeaders;
    const headers =
      plain !== undefined &&
      !this.#gzip &&
      this.#cors === undefined &&
      this.#ctx.replyHeaderIfAny() === undefined
        ? (plain as OutgoingHttpHeaders)
        : this.#baseHeaders();
    this.#ex.respond(200, headers, false, wire.protocol === 'grpc');
  }

  /** Ends the reply with `status` (undefined: OK) after the unary `reply` bytes, if any. */
  end(status: CallStatus | undefined, reply: Payload | undefined): void {
    const ex = this.#ex;
    const p = this.#wire.protocol;
    const trailer = trailerIfAny(this.#ctx);
    if (p === 'connect') {
      const headers = this.#baseHeaders();
      if (trailer) addHeaders(trailer, headers, 'trailer-');
      if (status?.metadata) addHeaders(status.metadata, headers, 'trailer-');
      if (status === undefined) {
        const body = reply === undefined ? '' : this.#gzip ? compress(payloadBytes(reply)) : reply;
        headers['content-length'] = payloadSize(body);
        ex.respond(200, headers, false);
        ex.end(body, undefined);
        return;
      }
      delete headers['content-encoding'];
      headers['content-type'] = 'application/json';
      const body = Buffer.from(JSON.stringify(connectErrorJson(status)), 'utf8');
      headers['content-length'] = body.length;
      ex.respond(connectHttpStatus(status.code), headers, false);
      ex.end(body, undefined);
      return;
    }
    if (p === 'connect-stream') {
      if (!this.headersSent) this.sendHeaders();
      const end: { error?: object; metadata?: Record<string, string[]> } = {};
      if (status !== undefined) end.error = connectErrorJson(status);
      if (trailer || status?.metadata) {
        const md: Record<string, string[]> = {};
        for (const source of [trailer, status?.metadata])
          if (source)
            for (const [k, v] of source) {
              md[k] = [...(md[k] ?? []), ...v];
            }
        end.metadata = md;
      }
      const last = encodeEnvelope(FLAG_END_STREAM, Buffer.from(JSON.stringify(end), 'utf8'));
      ex.end(reply === undefined ? last : Buffer.concat([this.frame(reply), last]), undefined);
      return;
    }
    if (p === 'grpc' && status === undefined && trailer === undefined && reply !== undefined) {
      // The common case: header (if not sent), the message and the constant OK trailers.
      if (!this.headersSent) this.sendHeaders();
      ex.end(this.frame(reply), OK_TRAILERS as OutgoingHttpHeaders);
      return;
    }
    const trailers: Record<string, string | string[]> = {};
    grpcStatusHeaders(status ?? OK, trailers);
    if (trailer) addHeaders(trailer, trailers);
    if (status?.metadata) addHeaders(status.metadata, trailers);
    if (p === 'grpc') {
      if (!this.headersSent && reply === undefined && this.#ctx.replyHeaderIfAny() === undefined) {
        // Trailers-Only: one HEADERS frame with the status.
        this.headersSent = true;
        ex.respond(200, Object.assign(this.#baseHeaders(), trailers), true);
        return;
      }
      if (!this.headersSent) this.sendHeaders();
      ex.end(reply === undefined ? undefined : this.frame(reply), trailers);
      return;
    }
    // gRPC-Web: the trailers travel as the body's last frame.
    if (!this.headersSent) this.sendHeaders();
    let block = '';
    for (const [k, v] of Object.entries(trailers)) {
      for (const one of Array.isArray(v) ? v : [v]) block += `${k}: ${one}\r\n`;
    }
    let tail: Uint8Array = encodeEnvelope(FLAG_TRAILERS, Buffer.from(block, 'utf8'));
    if (p === 'grpc-web-text') tail = Buffer.from(Buffer.from(tail).toString('base64'), 'latin1');
    ex.end(reply === undefined ? tail : Buffer.concat([this.frame(reply), tail]), undefined);
  }
}

const OK: CallStatus = { code: Code.OK, message: '', details: [] };
/** The trailers of an OK reply without trailer metadata (node:http2 never writes to them). */
const OK_TRAILERS: Readonly<OutgoingHttpHeaders> = Object.freeze({ 'grpc-status': '0' });
