// Messages in and out of a call: protobuf binary through proto-binary/ when the service's
// descriptors are known (the method's serializers otherwise), JSON through proto-json/ and
// protobuf-es, gzip, size limits. Decoding failures are returned as
// a RequestFailure, for the call to answer, never thrown.
import { create, isMessage } from '@bufbuild/protobuf';
import { badRequest } from '@kratos/core';
import type { MethodEntry } from './call.ts';
import { decompress, type Encoding, encodingOf } from './compression.ts';
import { ENVELOPE_HEADER_BYTES, FLAG_COMPRESSED, MessageTooLarge } from './envelope.ts';
import { decodeBinary, encodeBinary } from './proto-binary/index.ts';
import { decodeJson, encodeJson } from './proto-json/index.ts';
import type { CodecName, ConnectGetQuery } from './protocol.ts';
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
    if (codec === 'json') return decodeJson(entry.input!, bytes.toString('utf8'), entry.jsonRead);
    return entry.input === undefined ? entry.deserialize(bytes) : decodeBinary(entry.input, bytes);
  } catch (e) {
    return decodeFailure(e);
  }
}

function decodeFailure(e: unknown): RequestFailure {
  if (e instanceof MessageTooLarge) return new RequestFailure(e);
  const detail = e instanceof Error ? e.message : String(e);
  return new RequestFailure(badRequest('CODEC', `invalid request message: ${detail}`));
}

const tooLarge = () => new RequestFailure(new RpcError(Code.RESOURCE_EXHAUSTED, 'request message too large'));

export function decodeQuery(
  entry: MethodEntry,
  codec: CodecName,
  query: ConnectGetQuery,
  limit: number,
): unknown {
  const raw = query.message ?? '';
  const enc = encodingOf(query.compression);
  if (enc === undefined)
    return new RequestFailure(new RpcError(Code.UNIMPLEMENTED, 'unsupported compression'));
  if (codec === 'json' && enc === 'identity' && query.base64 !== '1') {
    // JSON text as the query gave it, not turned into bytes and back.
    if (raw.length > limit || (raw.length * 3 > limit && Buffer.byteLength(raw, 'utf8') > limit))
      return tooLarge();
    try {
      return decodeJson(entry.input!, raw, entry.jsonRead);
    } catch (e) {
      return decodeFailure(e);
    }
  }
  const bytes = query.base64 === '1' ? Buffer.from(raw, 'base64url') : Buffer.from(raw, 'utf8');
  if (bytes.length > limit) return tooLarge();
  return decodeMessage(entry, codec, bytes, enc === 'gzip', limit);
}

/**
 * An encoded message: protobuf bytes, or JSON text kept as a string until it is framed or sent
 * (node:http writes a string body with the header in one write, and encodes it there).
 */
export type Payload = Uint8Array | string;

/** Zeros to put in front of a serializer's bytes, where the frame header goes. */
const EMPTY_ROOM = Buffer.alloc(ENVELOPE_HEADER_BYTES);

/** Bytes of a payload. */
export function payloadBytes(payload: Payload): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/** Bytes in a payload. */
export function payloadSize(payload: Payload): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
}

/**
 * `message` in the call's codec. A protobuf payload starts with `room` bytes left free for its
 * frame header (the reply's {@link Reply.room}), so that framing it copies nothing.
 */
export function encodeMessage(
  entry: MethodEntry,
  codec: CodecName,
  message: unknown,
  limit: number,
  room: number,
): Payload {
  let out: Payload;
  const schema = entry.output;
  if (codec === 'json') {
    const m = isMessage(message, schema) ? message : create(schema!, message as never);
    out = encodeJson(schema!, m, entry.jsonWrite);
  } else if (schema !== undefined && isMessage(message, schema)) out = encodeBinary(schema, message, room);
  else {
    const bytes = entry.serialize(message);
    out = room === 0 ? bytes : Buffer.concat([EMPTY_ROOM.subarray(0, room), bytes]);
  }
  // A JSON string has at least as many bytes as characters: count them only when it could matter.
  if (limit !== Number.POSITIVE_INFINITY && (typeof out !== 'string' || out.length * 3 > limit)) {
    const size = payloadSize(out) - (typeof out === 'string' ? 0 : room);
    if (size > limit)
      throw new RpcError(Code.RESOURCE_EXHAUSTED, `reply of ${size} bytes exceeds the limit of ${limit}`);
  }
  return out;
}
