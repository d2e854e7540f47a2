import {
  create,
  type DescField,
  type DescMessage,
  type JsonValue,
  type Message,
  toJson,
} from '@bufbuild/protobuf';
import type { Codec, Handler, Middleware } from '@kratos/core';
import { applyMiddleware, type CodecRegistry } from '@kratos/core/transport';
import { type BindFailure, codecError, compileSetter, type FieldSetter, messageFromJson } from './binding.ts';
import { httpBodyMessage, isHttpBody, isHttpBodyField } from './bodies/http-body.ts';
import type { ErrorEncoder, HttpRouteOptions, RequestDecoder, ResponseEncoder } from './encoders.ts';
import { statusError } from './errors.ts';
import {
  decodeFieldBody,
  decodeMessage,
  encodeField,
  encodeMessage,
  JSON_WRITE_OPTIONS,
} from './message-codec.ts';
import { type PathTemplate, parsePathTemplate } from './path-template.ts';
import type { HttpHandler, HttpRouteDesc } from './types.ts';

type AnyMessage = Message & Record<string, unknown>;

/** Query values as fastify parses them. */
export type QueryValues = Record<string, string | string[] | undefined>;

const QUERY_CACHE_LIMIT = 256;

function isFailure(s: FieldSetter | BindFailure): s is BindFailure {
  return typeof s !== 'function';
}

/** A top-level field by proto or JSON name. */
export function topLevelField(schema: DescMessage, name: string): DescField | undefined {
  return schema.fields.find((f) => f.name === name || f.jsonName === name);
}

/**
 * Everything a route needs per request, resolved once at registration: the binder (path
 * variables, query, body), the middleware chain, the reply encoder.
 */
export class CompiledRoute {
  readonly desc: HttpRouteDesc;
  readonly method: string;
  readonly operation: string;
  readonly template: PathTemplate;
  readonly input: DescMessage;
  readonly output: DescMessage;
  readonly chain: Handler;
  /** This route's encoders and deadline (route options, else undefined: the server's). */
  readonly requestDecoder: RequestDecoder | undefined;
  readonly responseEncoder: ResponseEncoder | undefined;
  readonly errorEncoder: ErrorEncoder | undefined;
  readonly timeout: number | undefined;
  /** The reply is a google.api.HttpBody (`all`), or its `response_body` field is (`field`). */
  readonly httpBodyOut: 'all' | 'field' | undefined;
  readonly #httpBodyIn: boolean;
  readonly #varSetters: FieldSetter[];
  readonly #bodyMode: 'none' | 'all' | 'field';
  readonly #bodyField: DescField | undefined;
  readonly #bindQuery: boolean;
  readonly #responseField: DescField | undefined;
  readonly #querySetters = new Map<string, FieldSetter | BindFailure>();

  constructor(
    desc: HttpRouteDesc,
    handler: HttpHandler<never, unknown>,
    middleware: readonly Middleware[],
    options: HttpRouteOptions = {},
  ) {
    if (typeof desc.operation !== 'string' || desc.operation === '') {
      throw new TypeError(
        `route ${desc.method} ${desc.path}: operation is required (e.g. /pkg.Service/Method)`,
      );
    }
    this.desc = desc;
    this.method = desc.method.toUpperCase();
    this.operation = desc.operation;
    this.template = parsePathTemplate(desc.path);
    this.input = desc.input;
    this.output = desc.output;
    this.#varSetters = this.template.variables.map((v) => {
      const s = compileSetter(desc.input, v.fieldPath);
      if (isFailure(s)) throw new TypeError(`route ${this.method} ${desc.path}: path variable ${s.error}`);
      return s;
    });
    if (desc.body === undefined || desc.body === '') {
      this.#bodyMode = 'none';
      this.#bindQuery = true;
    } else if (desc.body === '*') {
      this.#bodyMode = 'all';
      this.#bindQuery = false;
    } else {
      this.#bodyMode = 'field';
      this.#bindQuery = true;
      this.#bodyField = topLevelField(desc.input, desc.body);
      if (this.#bodyField === undefined) {
        throw new TypeError(
          `route ${this.method} ${desc.path}: body field "${desc.body}" not in ${desc.input.typeName}`,
        );
      }
    }
    if (desc.responseBody !== undefined && desc.responseBody !== '' && desc.responseBody !== '*') {
      this.#responseField = topLevelField(desc.output, desc.responseBody);
      if (this.#responseField === undefined) {
        throw new TypeError(
          `route ${this.method} ${desc.path}: response_body field "${desc.responseBody}" not in ${desc.output.typeName}`,
        );
      }
    }
    this.#httpBodyIn =
      (this.#bodyMode === 'all' && isHttpBody(desc.input)) ||
      (this.#bodyMode === 'field' && isHttpBodyField(this.#bodyField));
    this.httpBodyOut =
      this.#responseField === undefined
        ? isHttpBody(desc.output)
          ? 'all'
          : undefined
        : isHttpBodyField(this.#responseField)
          ? 'field'
          : undefined;
    this.requestDecoder = options.requestDecoder;
    this.responseEncoder = options.responseEncoder;
    this.errorEncoder = options.errorEncoder;
    this.timeout = options.timeout;
    this.chain = applyMiddleware(handler as Handler, middleware, desc.operation);
  }

  /** True when the request carries a body this route decodes. */
  get hasBody(): boolean {
    return this.#bodyMode !== 'none';
  }

  /**
   * Builds the request message: body (by the Content-Type codec), then query, then path
   * variables (later wins, as Go Kratos binds). Throws 400 `CODEC` / 415 KratosErrors. A
   * google.api.HttpBody body takes the raw bytes and Content-Type; `decoder` (a request decoder)
   * replaces the codec for other bodies.
   */
  bind(
    registry: CodecRegistry,
    contentType: string | undefined,
    body: Uint8Array | undefined,
    query: QueryValues | undefined,
    vars: readonly string[] | undefined,
    decoder?: (body: Uint8Array) => unknown,
  ): AnyMessage {
    let msg: AnyMessage;
    if (this.#bodyMode === 'none' || body === undefined) {
      msg = create(this.input) as AnyMessage;
    } else if (this.#httpBodyIn) {
      msg = this.#httpBodyRequest(contentType, body);
    } else if (decoder !== undefined) {
      msg = this.toInput(decoder(body));
    } else if (body.length === 0) {
      msg = create(this.input) as AnyMessage;
    } else {
      msg = this.decodeBody(registry, contentType, body);
    }
    if (this.#bindQuery && query !== undefined) {
      for (const key in query) {
        const values = query[key];
        if (values === undefined) continue;
        const setter = this.#querySetter(key);
        if (setter !== undefined) setter(msg, values);
      }
    }
    if (vars !== undefined) {
      const setters = this.#varSetters;
      for (let i = 0; i < setters.length; i++) {
        const v = vars[i]!;
        // A NUL (`%00`) names nothing legitimate and cuts keys short in C-based stores and file
        // APIs (PostgreSQL text refuses it, Node's fs throws): refused before a handler sees it.
        if (v.includes('\0'))
          throw codecError(`path variable ${this.template.variables[i]!.fieldPath} contains a NUL byte`);
        setters[i]!(msg, v);
      }
    }
    return msg;
  }

  /** The default body decoding: the Content-Type's codec (JSON without one); 415 for an unknown type. */
  decodeBody(registry: CodecRegistry, contentType: string | undefined, body: Uint8Array): AnyMessage {
    const codec = contentType === undefined ? registry.byName('json') : registry.byContentType(contentType);
    if (codec === undefined) throw statusError(415, `unsupported Content-Type: ${contentType}`);
    return this.#bodyMode === 'field'
      ? decodeFieldBody<AnyMessage>(codec, this.input, this.#bodyField!, body)
      : decodeMessage<AnyMessage>(codec, this.input, body);
  }

  /** The request message from the JSON of what the body binds (the message, or the body field). */
  bodyFromJson(json: JsonValue | undefined): AnyMessage {
    if (json === undefined || json === null) return create(this.input) as AnyMessage;
    return messageFromJson<AnyMessage>(
      this.input,
      this.#bodyMode === 'field' ? { [this.#bodyField!.jsonName]: json } : json,
      'body',
    );
  }

  /** A request message from what a decoder returned (a message of the input, or an init object). */
  toInput(v: unknown): AnyMessage {
    return (
      v !== null && typeof v === 'object' && (v as { $typeName?: unknown }).$typeName === this.input.typeName
        ? v
        : create(this.input, (v ?? undefined) as never)
    ) as AnyMessage;
  }

  #httpBodyRequest(contentType: string | undefined, body: Uint8Array): AnyMessage {
    if (this.#bodyMode === 'all') return httpBodyMessage(this.input, contentType, body) as AnyMessage;
    const field = this.#bodyField!;
    const msg = create(this.input) as AnyMessage;
    msg[field.localName] = httpBodyMessage(field.message!, contentType, body);
    return msg;
  }

  #querySetter(key: string): FieldSetter | undefined {
    let s = this.#querySetters.get(key);
    if (s === undefined) {
      s = compileSetter(this.input, key);
      // unknown keys are cached too, up to a bound, so random keys cannot grow memory
      if (this.#querySetters.size < QUERY_CACHE_LIMIT) this.#querySetters.set(key, s);
    }
    if (isFailure(s)) {
      if (s.unknown) return undefined;
      throw codecError(`query parameter ${s.error}`);
    }
    return s;
  }

  /** The handler's reply as a message of the output (it may be an init object). */
  toOutput(reply: unknown): Message {
    const out = this.output;
    return reply !== null &&
      typeof reply === 'object' &&
      (reply as { $typeName?: unknown }).$typeName === out.typeName
      ? (reply as Message)
      : create(out, (reply ?? undefined) as never);
  }

  /** The reply's protobuf JSON (the `responseBody` field only, when there is one). */
  replyJson(msg: Message): JsonValue {
    const json = toJson(this.output, msg, JSON_WRITE_OPTIONS);
    return this.#responseField === undefined
      ? json
      : ((json as Record<string, JsonValue>)[this.#responseField.jsonName] ?? null);
  }

  /** The HttpBody a reply carries (the reply, or its `response_body` field). */
  httpBodyOf(reply: unknown): unknown {
    if (this.httpBodyOut !== 'field' || reply === null || typeof reply !== 'object') return reply;
    return (reply as Record<string, unknown>)[this.#responseField!.localName];
  }

  /** Encodes the handler's reply (a message or an init object) with `codec`. */
  encode(codec: Codec, reply: unknown): string | Uint8Array {
    const out = this.output;
    const msg = this.toOutput(reply);
    return this.#responseField === undefined
      ? encodeMessage(codec, out, msg)
      : encodeField(codec, out, this.#responseField, msg);
  }
}
