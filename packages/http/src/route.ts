import { create, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { applyMiddleware, type Codec, type CodecRegistry, type Handler, type Middleware } from '@kratos/core';
import { type BindFailure, codecError, compileSetter, type FieldSetter } from './binding.ts';
import { statusError } from './errors.ts';
import { decodeFieldBody, decodeMessage, encodeField, encodeMessage } from './message-codec.ts';
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
  readonly #varSetters: FieldSetter[];
  readonly #bodyMode: 'none' | 'all' | 'field';
  readonly #bodyField: DescField | undefined;
  readonly #bindQuery: boolean;
  readonly #responseField: DescField | undefined;
  readonly #querySetters = new Map<string, FieldSetter | BindFailure>();

  constructor(desc: HttpRouteDesc, handler: HttpHandler<never, unknown>, middleware: readonly Middleware[]) {
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
    this.chain = applyMiddleware(handler as Handler, middleware, desc.operation);
  }

  /** True when the request carries a body this route decodes. */
  get hasBody(): boolean {
    return this.#bodyMode !== 'none';
  }

  /**
   * Builds the request message: body (by the Content-Type codec), then query, then path
   * variables (later wins, as Go Kratos binds). Throws 400 `CODEC` / 415 KratosErrors.
   */
  bind(
    registry: CodecRegistry,
    contentType: string | undefined,
    body: Uint8Array | undefined,
    query: QueryValues | undefined,
    vars: readonly string[] | undefined,
  ): AnyMessage {
    let msg: AnyMessage;
    if (this.#bodyMode === 'none' || body === undefined || body.length === 0) {
      msg = create(this.input) as AnyMessage;
    } else {
      const codec = contentType === undefined ? registry.byName('json') : registry.byContentType(contentType);
      if (codec === undefined) throw statusError(415, `unsupported Content-Type: ${contentType}`);
      msg =
        this.#bodyMode === 'all'
          ? decodeMessage<AnyMessage>(codec, this.input, body)
          : decodeFieldBody<AnyMessage>(codec, this.input, this.#bodyField!, body);
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

  /** Encodes the handler's reply (a message or an init object) with `codec`. */
  encode(codec: Codec, reply: unknown): string | Uint8Array {
    const out = this.output;
    const msg =
      reply !== null &&
      typeof reply === 'object' &&
      (reply as { $typeName?: unknown }).$typeName === out.typeName
        ? (reply as Message)
        : create(out, (reply ?? undefined) as never);
    return this.#responseField === undefined
      ? encodeMessage(codec, out, msg)
      : encodeField(codec, out, this.#responseField, msg);
  }
}
