import {
  create,
  type DescField,
  type DescMessage,
  type JsonValue,
  type Message,
  toJson,
} from '@bufbuild/protobuf';
import type { Codec, Context } from '@kratos/core';
import type { MessageCodec } from '@kratos/core/adapter';
import { isMessageCodec } from '@kratos/core/transport';
import { httpBodyContent, isHttpBody, isHttpBodyField } from './bodies/http-body.ts';
import type { RequestEncoder } from './client-encoders.ts';
import { expandTemplate, parsePathTemplate } from './path-template.ts';
import { topLevelField } from './route.ts';
import type { HttpRouteDesc } from './types.ts';

/** What a client call sends: the path with its query, and the body (none for body-less bindings). */
export interface EncodedRequest {
  path: string;
  body: string | Buffer | undefined;
  /** The body's Content-Type when it is not the codec's (a google.api.HttpBody's). */
  contentType?: string;
}

/**
 * Compiles the client side of one `google.api.http` binding (the reverse of the server's
 * binding): path variables out of the request message into the URL, the `body` field (or the
 * whole message for `*`) through the codec, and every other field into the query string, as
 * Go Kratos' generated clients send them. Checks the binding once, here; throws TypeError for a
 * path variable or body field the input message does not have.
 */
export function compileRequestEncoder(
  desc: HttpRouteDesc,
  codec: Codec,
  encoder?: RequestEncoder,
): (req: unknown, ctx?: Context) => EncodedRequest {
  const template = parsePathTemplate(desc.path);
  const vars = template.variables.map((v) => {
    const { jsonPath, last } = jsonPathOf(desc.input, v.fieldPath);
    return { jsonPath, fallback: defaultText(last) };
  });
  const namedBody = desc.body !== undefined && desc.body !== '' && desc.body !== '*';
  const bodyField = namedBody ? topLevelField(desc.input, desc.body!) : undefined;
  if (namedBody && bodyField === undefined) {
    throw new TypeError(`body field "${desc.body}" not in ${desc.input.typeName}`);
  }
  const wholeBody = desc.body === '*';
  const input = desc.input;
  const rawAll = wholeBody && isHttpBody(input);
  const rawField = isHttpBodyField(bodyField);
  // A request encoder (Kratos' EncodeRequestFunc) replaces the codec for the body.
  const custom = (ctx: Context | undefined, json: () => JsonValue, encode: () => string | Uint8Array) =>
    encoder === undefined
      ? encode()
      : encoder({ ctx: ctx!, route: desc, contentType: codec.contentType, json, encode });

  return (req, ctx) => {
    const msg: Message =
      req !== null && typeof req === 'object' && (req as { $typeName?: unknown }).$typeName === input.typeName
        ? (req as Message)
        : create(input, (req ?? undefined) as never);
    const json = toJson(input, msg) as Record<string, JsonValue>;
    const values = vars.map((v) => textOf(takePath(json, v.jsonPath)) ?? v.fallback);
    let path = expandTemplate(template, values);
    let body: string | Buffer | undefined;
    let contentType: string | undefined;
    if (rawAll) {
      const raw = httpBodyContent(msg);
      return { path, body: toBuffer(raw.data), contentType: raw.contentType };
    }
    if (wholeBody) {
      body = toBuffer(
        custom(
          ctx,
          () => toJson(input, msg),
          () =>
            isMessageCodec(codec)
              ? (codec as MessageCodec).marshalMessage(input, msg)
              : codec.name === 'json'
                ? JSON.stringify(toJson(input, msg))
                : codec.marshal(toJson(input, msg)),
        ),
      );
      return { path, body };
    }
    if (bodyField !== undefined) {
      const part = json[bodyField.jsonName] ?? {};
      delete json[bodyField.jsonName];
      if (rawField) {
        const raw = httpBodyContent((msg as unknown as Record<string, unknown>)[bodyField.localName]);
        body = toBuffer(raw.data);
        contentType = raw.contentType;
      } else {
        const field = bodyField;
        body = toBuffer(
          custom(
            ctx,
            () => part,
            () => {
              if (isMessageCodec(codec) && field.fieldKind === 'message') {
                const inner =
                  (msg as unknown as Record<string, Message | undefined>)[field.localName] ??
                  create(field.message);
                return (codec as MessageCodec).marshalMessage(field.message, inner);
              }
              return codec.name === 'json' ? JSON.stringify(part) : codec.marshal(part);
            },
          ),
        );
      }
    }
    const query: string[] = [];
    appendQuery(query, '', json);
    if (query.length > 0) path += `?${query.join('&')}`;
    return contentType === undefined ? { path, body } : { path, body, contentType };
  };
}

function jsonPathOf(schema: DescMessage, dotted: string): { jsonPath: string[]; last: DescField } {
  const jsonPath: string[] = [];
  let current: DescMessage | undefined = schema;
  let last: DescField | undefined;
  for (const part of dotted.split('.')) {
    const f: DescField | undefined = current?.fields.find((x) => x.name === part || x.jsonName === part);
    if (f === undefined) throw new TypeError(`path variable "${dotted}" not in ${schema.typeName}`);
    jsonPath.push(f.jsonName);
    last = f;
    current = f.fieldKind === 'message' ? f.message : undefined;
  }
  return { jsonPath, last: last! };
}

/** The text protojson omits for a field at its default value. */
function defaultText(f: DescField): string {
  if (f.fieldKind === 'enum') return f.enum.values[0]?.name ?? '0';
  if (f.fieldKind === 'scalar') {
    if (f.scalar === 8 /* BOOL */) return 'false';
    if (f.scalar === 9 /* STRING */ || f.scalar === 12 /* BYTES */) return '';
    return '0';
  }
  return '';
}

function textOf(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Removes and returns the value at `path` (a path variable is not sent again in the query). */
function takePath(obj: Record<string, JsonValue>, path: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const o = cur as Record<string, JsonValue>;
    if (i === path.length - 1) {
      const v = o[path[i]!];
      delete o[path[i]!];
      return v;
    }
    cur = o[path[i]!];
  }
  return undefined;
}

/** Query pairs from a message's JSON: nested objects with dots, arrays as repeated keys. */
function appendQuery(out: string[], prefix: string, v: JsonValue): void {
  if (v === null) return;
  if (Array.isArray(v)) {
    for (const item of v) if (item === null || typeof item !== 'object') appendQuery(out, prefix, item);
    return;
  }
  if (typeof v === 'object') {
    for (const [k, inner] of Object.entries(v)) appendQuery(out, prefix === '' ? k : `${prefix}.${k}`, inner);
    return;
  }
  out.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(v))}`);
}

function toBuffer(b: string | Uint8Array): string | Buffer {
  return typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
