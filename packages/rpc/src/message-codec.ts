// Messages in and out of a call: protobuf binary through the method's serializers, JSON through
// protobuf-es and the service's descriptors, gzip, size limits. Decoding failures are returned as
// a RequestFailure, for the call to answer, never thrown.
import { create, fromJsonString, isMessage, toBinary, toJsonString } from '@bufbuild/protobuf';
import { badRequest } from '@kratos/core';
import type { MethodEntry } from './call.ts';
import { decompress, type Encoding, encodingOf } from './compression.ts';
import { FLAG_COMPRESSED, MessageTooLarge } from './envelope.ts';
import type { CodecName } from './protocol.ts';
import { Code, RpcError } from './status.ts';

/** A request that could not be decoded, carried to where the call can answer it. */
export class RequestFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

export function decodeFrame(
  entry: MethodEntry,
  codec: CodecName,
  flags: number,
  data: Buffer,
  recv: Encoding | undefined,
  limit: number,
): unknown {
  const compressed = (flags & FLAG_COMPRESSED) !== 0;
  if (compressed && recv !== 'gzip')
    return new RequestFailure(new RpcError(Code.INTERNAL, 'compressed message without grpc-encoding'));
  return decodeMessage(entry, codec, data, compressed, limit);
}

export function decodeMessage(
  entry: MethodEntry,
  codec: CodecName,
  data: Buffer,
  compressed: boolean,
  limit: number,
): unknown {
  try {
    const bytes = compressed ? decompress(data, limit) : data;
    if (codec === 'json') return fromJsonString(entry.input!, bytes.toString('utf8'), entry.jsonRead);
    return entry.deserialize(bytes);
  } catch (e) {
    if (e instanceof MessageTooLarge) return new RequestFailure(e);
    const detail = e instanceof Error ? e.message : String(e);
    return new RequestFailure(badRequest('CODEC', `invalid request message: ${detail}`));
  }
}

export function decodeQuery(entry: MethodEntry, codec: CodecName, query: string, limit: number): unknown {
  const q = new URLSearchParams(query);
  const raw = q.get('message') ?? '';
  const bytes = q.get('base64') === '1' ? Buffer.from(raw, 'base64url') : Buffer.from(raw, 'utf8');
  const enc = encodingOf(q.get('compression'));
  if (enc === undefined)
    return new RequestFailure(new RpcError(Code.UNIMPLEMENTED, 'unsupported compression'));
  if (bytes.length > limit)
    return new RequestFailure(new RpcError(Code.RESOURCE_EXHAUSTED, 'request message too large'));
  return decodeMessage(entry, codec, bytes, enc === 'gzip', limit);
}

/**
 * An encoded message: protobuf bytes, or JSON text kept as a string until it is framed or sent
 * (node:http writes a string body with the header in one write, and encodes it there).
 */
export type Payload = Uint8Array | string;

/** Bytes of a payload. */
export function payloadBytes(payload: Payload): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/** Bytes in a payload. */
export function payloadSize(payload: Payload): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
}

export function encodeMessage(
  entry: MethodEntry,
  codec: CodecName,
  message: unknown,
  limit: number,
): Payload {
  let out: Payload;
  const schema = entry.output;
  if (codec === 'json') {
    const m = isMessage(message, schema) ? message : create(schema!, message as never);
    out = toJsonString(schema!, m, entry.jsonWrite);
  } else if (schema !== undefined && isMessage(message, schema)) {
    // protobuf-es' bytes as they are (the generated serializer wraps them in a Buffer view).
    out = toBinary(schema, message);
  } else out = entry.serialize(message);
  // A JSON string has at least as many bytes as characters: count them only when it could matter.
  if (limit !== Number.POSITIVE_INFINITY && (typeof out !== 'string' || out.length * 3 > limit)) {
    const size = payloadSize(out);
    if (size > limit)
      throw new RpcError(Code.RESOURCE_EXHAUSTED, `reply of ${size} bytes exceeds the limit of ${limit}`);
  }
  return out;
}
