// Kratos' client request encoder, response decoder and error decoder (transport/http's
// EncodeRequestFunc, DecodeResponseFunc, DecodeErrorFunc). Each is optional: left out, the
// default (the client's codec, protobuf JSON mapping, Kratos error bodies) runs unchanged.
import { create, type DescField, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import { type Codec, type Context, KratosError } from '@kratos/core';
import { messageFromJson } from './binding.ts';
import { httpBodyMessage, isHttpBody, isHttpBodyField } from './bodies/http-body.ts';
import { errorFromResponse } from './errors.ts';
import { decodeFieldBody, decodeMessage } from './message-codec.ts';
import { topLevelField } from './route.ts';
import type { HttpRouteDesc } from './types.ts';

/** What a client {@link RequestEncoder} is given. */
export interface RequestEncodeArgs {
  ctx: Context;
  route: HttpRouteDesc;
  /** The Content-Type the body is sent with (the client codec's). */
  contentType: string;
  /** What the route's body binds: the request (`body: "*"`) or its body field's value, as protobuf JSON. */
  json(): JsonValue;
  /** The default encoding of that body with the client's codec. */
  encode(): string | Uint8Array;
}

/**
 * Encodes a request body (Kratos' `EncodeRequestFunc`): only routes with a `body` send one; path
 * variables and the query are expanded as usual. google.api.HttpBody bodies are sent raw, past it.
 */
export type RequestEncoder = (args: RequestEncodeArgs) => string | Uint8Array;

/** A reply as it came back. */
export interface ClientResponse {
  ctx: Context;
  route: HttpRouteDesc;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json(): JsonValue | undefined;
}

/** What a client {@link ResponseDecoder} is given. */
export interface ResponseDecodeArgs extends ClientResponse {
  /** The reply message from the JSON of what the route's reply carries (all, or `responseBody`). */
  fromJson(json: JsonValue | undefined): Message;
  /** The default decoding (by the reply's Content-Type codec) of `bytes` (default the body). */
  decode(bytes?: Uint8Array): Message;
}

/** Decodes a 2xx reply (Kratos' `DecodeResponseFunc`): returns the reply message or its init object. */
export type ResponseDecoder = (args: ResponseDecodeArgs) => unknown;

/** What a client {@link ErrorDecoder} is given. */
export interface ErrorDecodeArgs extends ClientResponse {
  /** The default: undefined for 2xx, else the Kratos error of the body (or status and text). */
  decode(): KratosError | undefined;
}

/**
 * Decides whether a reply is an error (Kratos' `DecodeErrorFunc`): runs on every reply, 2xx
 * included; returns the error to throw, or undefined to decode the reply.
 */
export type ErrorDecoder = (args: ErrorDecodeArgs) => Error | undefined;

/** The client options of the same names. */
export interface ClientEncoders {
  encoder?: RequestEncoder;
  decoder?: ResponseDecoder;
  errorDecoder?: ErrorDecoder;
}

const utf8 = new TextDecoder();

function parseJson(body: Uint8Array): JsonValue | undefined {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(utf8.decode(body)) as JsonValue;
  } catch {
    return undefined;
  }
}

/** Decodes a route's replies: errors, then the message (by the decoder or the codec, HttpBody raw). */
export interface ReplyReader {
  /** The error of a reply, or undefined. */
  error(res: ClientResponse): Error | undefined;
  /** The reply message; throws 500 `CODEC` when it cannot be decoded. */
  message(res: ClientResponse, codec: Codec, contentType: string | undefined): Message;
}

/** Compiles the reply side of one route for a client. */
export function compileReplyReader(desc: HttpRouteDesc, encoders: ClientEncoders): ReplyReader {
  const output: DescMessage = desc.output;
  const field: DescField | undefined =
    desc.responseBody !== undefined && desc.responseBody !== '' && desc.responseBody !== '*'
      ? topLevelField(output, desc.responseBody)
      : undefined;
  const rawAll = field === undefined && isHttpBody(output);
  const rawField = field !== undefined && isHttpBodyField(field);
  const { decoder, errorDecoder } = encoders;

  const defaultDecode = (codec: Codec, bytes: Uint8Array): Message =>
    field === undefined
      ? decodeMessage(codec, output, bytes, 'reply')
      : decodeFieldBody(codec, output, field, bytes);
  const fromJson = (json: JsonValue | undefined): Message =>
    json === undefined || json === null
      ? create(output)
      : messageFromJson(output, field === undefined ? json : { [field.jsonName]: json }, 'reply');
  const toOutput = (v: unknown): Message =>
    v !== null && typeof v === 'object' && (v as { $typeName?: unknown }).$typeName === output.typeName
      ? (v as Message)
      : create(output, (v ?? undefined) as never);

  return {
    error(res) {
      const fallback = (): KratosError | undefined =>
        res.status >= 200 && res.status <= 299 ? undefined : errorFromResponse(res.status, res.body);
      if (errorDecoder === undefined) return fallback();
      return errorDecoder({ ...res, decode: fallback });
    },
    message(res, codec, contentType) {
      try {
        if (rawAll) return httpBodyMessage(output, contentType, res.body);
        if (rawField) {
          const msg = create(output) as Message & Record<string, unknown>;
          msg[field!.localName] = httpBodyMessage(field!.message!, contentType, res.body);
          return msg;
        }
        if (decoder === undefined) return defaultDecode(codec, res.body);
        return toOutput(
          decoder({ ...res, fromJson, decode: (bytes = res.body) => defaultDecode(codec, bytes) }),
        );
      } catch (err) {
        throw new KratosError(500, 'CODEC', `decode reply of ${desc.operation}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
  };
}

/** A reply's parts for the readers (headers as undici gives them). */
export function clientResponse(
  ctx: Context,
  route: HttpRouteDesc,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Uint8Array,
): ClientResponse {
  return { ctx, route, status, headers, body, json: () => parseJson(body) };
}
