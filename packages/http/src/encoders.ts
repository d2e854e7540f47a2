// Kratos' request decoder, response encoder and error encoder (transport/http's DecodeRequestFunc,
// EncodeResponseFunc, EncodeErrorFunc), server side. Each is optional: left out, the default
// (codec by Content-Type / Accept, protobuf JSON mapping, Kratos error body) runs unchanged.
import type { JsonValue, Message } from '@bufbuild/protobuf';
import type { Context, KratosError } from '@kratos/core';
import type { FastifyRequest } from 'fastify';
import type { HttpRouteDesc } from './types.ts';

/** A body an encoder writes: bytes or text, its Content-Type, and the status (see each encoder). */
export interface EncodedBody {
  body: string | Uint8Array;
  contentType: string;
  /** Default 200 for replies, the error's code for errors. */
  status?: number;
}

/** What a {@link RequestDecoder} is given. */
export interface RequestDecodeArgs {
  request: FastifyRequest;
  route: HttpRouteDesc;
  /** The request's Content-Type header, if any. */
  contentType: string | undefined;
  /** The raw body (empty when the request has none). */
  body: Uint8Array;
  /** The body parsed as JSON (`{}` when empty); 400 `CODEC` if it is not JSON. */
  json(): JsonValue;
  /**
   * The request message from the JSON of what the route's body binds (the whole message for
   * `body: "*"`, the field for `body: "<field>"`), through the protobuf JSON mapping; undefined
   * or null gives an empty message. 400 `CODEC` on a mismatch.
   */
  fromJson(json: JsonValue | undefined): Message;
  /** The default decoding of `bytes` (the body by default): the Content-Type's codec. */
  decode(bytes?: Uint8Array): Message;
}

/**
 * Decodes a request body into the route's request message (Kratos' `DecodeRequestFunc`). Returns
 * the message (or an init object of it); query and path variables are bound on top of it. A
 * non-Kratos error it throws is a 400 `CODEC`. Runs on routes that take a body, not on multipart
 * uploads (read those with `formParts`).
 */
export type RequestDecoder = (args: RequestDecodeArgs) => unknown;

/** What a {@link ResponseEncoder} is given. */
export interface ResponseEncodeArgs {
  ctx: Context;
  request: FastifyRequest;
  route: HttpRouteDesc;
  /** The handler's reply as a message of the route's output. */
  message: Message;
  /** The reply's protobuf JSON (only the `responseBody` field when the route names one). */
  json(): JsonValue;
  /** The default encoding: the Accept codec (then Content-Type's, then JSON). */
  encode(): EncodedBody;
}

/**
 * Writes a reply (Kratos' `EncodeResponseFunc`). Not called for redirects, streamed replies or
 * `google.api.HttpBody` replies, which are written as they are. An error it throws goes to the
 * error encoder.
 */
export type ResponseEncoder = (args: ResponseEncodeArgs) => EncodedBody;

/** What an {@link ErrorEncoder} is given. */
export interface ErrorEncodeArgs {
  error: KratosError;
  request: FastifyRequest;
  /** The route, when the error came from one (not for 404/405 or a body fastify refused). */
  route: HttpRouteDesc | undefined;
  /** The default encoding: the Kratos error body as JSON, status = code. */
  encode(): EncodedBody;
}

/**
 * Writes an error (Kratos' `EncodeErrorFunc`): every error the server answers through fastify,
 * the transport's own (404, 405, 413, ...) included. If it throws, the default body is written.
 */
export type ErrorEncoder = (args: ErrorEncodeArgs) => EncodedBody;

/** Options of one route (`server.route(desc, handler, options)`); each wins over the server's. */
export interface HttpRouteOptions {
  requestDecoder?: RequestDecoder;
  responseEncoder?: ResponseEncoder;
  errorEncoder?: ErrorEncoder;
  /** This route's handler deadline, ms (0 or less: none). Default the server's `timeout`. */
  timeout?: number;
}

/** Encoders of a server (the `createHttpServer` options of the same names). */
export interface HttpEncoders {
  requestDecoder?: RequestDecoder | undefined;
  responseEncoder?: ResponseEncoder | undefined;
  errorEncoder?: ErrorEncoder | undefined;
}
