import {
  create,
  type DescField,
  type DescMessage,
  type JsonValue,
  type Message,
  toJson,
  toJsonString,
} from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import type { Codec } from '@kratos/core';
import type { MessageCodec } from '@kratos/core/adapter';
import { type CodecRegistry, createCodecRegistry, isMessageCodec } from '@kratos/core/transport';
import { codecError, messageFromJson } from './binding.ts';

/** Go Kratos' json codec emits unpopulated fields (protojson `EmitUnpopulated: true`); so do we. */
export const JSON_WRITE_OPTIONS = { alwaysEmitImplicit: true } as const;

/**
 * A Content-Type as fastify sends it: a JSON media type without a charset gains `; charset=utf-8`.
 * Given whole, fastify leaves it be (it would otherwise append it to every reply).
 */
export function withJsonCharset(type: string): string {
  return /json/i.test(type.split(';')[0]!) && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type;
}

/** A registry from what the server/client options accept: a registry, a list, or nothing (JSON only). */
export function toCodecRegistry(codecs: CodecRegistry | readonly Codec[] | undefined): CodecRegistry {
  if (codecs === undefined) return createCodecRegistry();
  if (Array.isArray(codecs)) return createCodecRegistry(codecs as readonly Codec[]);
  return codecs as CodecRegistry;
}

/**
 * Picks the reply codec from an Accept header: the first listed media type a codec exists for
 * (q-values are not ranked, as in Go Kratos); `*\/*` and unknown types give undefined.
 */
export function codecForAccept(registry: CodecRegistry, accept: string): Codec | undefined {
  if (accept.indexOf(',') === -1)
    return accept.startsWith('*/*') ? undefined : registry.byContentType(accept);
  for (const part of accept.split(',')) {
    const t = part.trim();
    if (t === '' || t.startsWith('*/*')) continue;
    const c = registry.byContentType(t);
    if (c !== undefined) return c;
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function jsonText(data: Uint8Array): string {
  try {
    return utf8.decode(data);
  } catch (err) {
    throw codecError('unmarshal body err: body is not valid UTF-8', err);
  }
}

/** Parses bytes with a JSON-shaped codec, as a 400 `CODEC` on failure. */
function unmarshalJsonShaped(codec: Codec, data: Uint8Array): JsonValue {
  if (codec.name === 'json') {
    if (data.length === 0) return {};
    const text = jsonText(data);
    try {
      return JSON.parse(text) as JsonValue;
    } catch (err) {
      throw codecError(`unmarshal body err: ${(err as Error).message}`, err);
    }
  }
  try {
    return codec.unmarshal(data) as JsonValue;
  } catch (err) {
    throw codecError(`unmarshal body err: ${(err as Error).message}`, err);
  }
}

/** Decodes a whole message with any codec (binary for a MessageCodec, else through the JSON mapping). */
export function decodeMessage<T extends Message>(
  codec: Codec,
  schema: DescMessage,
  data: Uint8Array,
  what = 'body',
): T {
  if (isMessageCodec(codec)) {
    try {
      return (codec as MessageCodec).unmarshalMessage(schema, data) as T;
    } catch (err) {
      throw codecError(`unmarshal ${what} err: ${(err as Error).message}`, err);
    }
  }
  return messageFromJson<T>(schema, unmarshalJsonShaped(codec, data), what);
}

/** Decodes a body bound to one field (`body: "user"`) into a fresh message of `schema`. */
export function decodeFieldBody<T extends Message>(
  codec: Codec,
  schema: DescMessage,
  field: DescField,
  data: Uint8Array,
): T {
  if (isMessageCodec(codec)) {
    if (field.fieldKind !== 'message')
      throw codecError(`field ${field.name} cannot be decoded with ${codec.name}`);
    const inner = decodeMessage(codec, field.message, data);
    const msg = create(schema);
    reflect(schema, msg).set(field, reflect(field.message, inner));
    return msg as T;
  }
  if (data.length === 0) return create(schema) as T;
  return messageFromJson<T>(schema, { [field.jsonName]: unmarshalJsonShaped(codec, data) }, 'body');
}

/** Encodes a whole message; JSON goes straight through protobuf-es `toJsonString`. */
export function encodeMessage(codec: Codec, schema: DescMessage, message: Message): string | Uint8Array {
  if (codec.name === 'json') return toJsonString(schema, message, JSON_WRITE_OPTIONS);
  if (isMessageCodec(codec)) return (codec as MessageCodec).marshalMessage(schema, message);
  return codec.marshal(toJson(schema, message, JSON_WRITE_OPTIONS));
}

/** Encodes only one field of a reply (`response_body: "user"`). */
export function encodeField(
  codec: Codec,
  schema: DescMessage,
  field: DescField,
  message: Message,
): string | Uint8Array {
  if (isMessageCodec(codec) && field.fieldKind === 'message') {
    const inner = reflect(schema, message).get(field) as unknown as { message: Message };
    return (codec as MessageCodec).marshalMessage(field.message, inner.message);
  }
  const json =
    (toJson(schema, message, JSON_WRITE_OPTIONS) as Record<string, JsonValue>)[field.jsonName] ?? null;
  if (codec.name === 'json') return JSON.stringify(json);
  return codec.marshal(json);
}
