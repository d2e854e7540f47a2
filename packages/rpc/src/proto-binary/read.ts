// Reading: straight from the frame's Buffer into a message made by protobuf-es' create.
import { isUtf8 } from 'node:buffer';
import { create, type DescMessage, fromBinary, ScalarType } from '@bufbuild/protobuf';
import { type Field, HAND_OVER, linked, type Shape, shapeOf } from './shape.ts';

const MAX_DEPTH = 100;
/** Strings up to this many bytes take the ASCII path (Buffer#toString costs ~100 ns a call). */
const SHORT = 32;

interface Reader {
  readonly buf: Buffer;
  at: number;
}

function readVarint(r: Reader, end: number): number {
  const buf = r.buf;
  let v = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (r.at >= end) throw HAND_OVER;
    const b = buf[r.at++]!;
    if (shift < 32) v |= (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) return v;
  }
  throw HAND_OVER;
}

/** Short ASCII strings are built from their codes, as protobuf-es does; the rest checked, then decoded. */
function readString(buf: Buffer, from: number, to: number): string {
  if (to - from <= SHORT) {
    const codes = new Array<number>(to - from);
    let ascii = true;
    for (let i = from; i < to; i++) {
      const b = buf[i]!;
      if (b > 0x7f) {
        ascii = false;
        break;
      }
      codes[i - from] = b;
    }
    if (ascii) return String.fromCharCode.apply(String, codes);
  }
  if (!isUtf8(buf.subarray(from, to))) throw HAND_OVER;
  return buf.toString('utf8', from, to);
}

function readMessage(shape: Shape, r: Reader, end: number, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw HAND_OVER;
  const message = create(shape.schema) as unknown as Record<string, unknown>;
  let seenMessages: Set<Field> | undefined;
  const buf = r.buf;
  while (r.at < end) {
    const start = r.at;
    const tag = readVarint(r, end);
    // Field numbers here are at most 2^16, so their tags take at most 3 bytes.
    if (r.at - start > 3) throw HAND_OVER;
    const field = shape.byNo[tag >>> 3];
    if (field === undefined || (tag & 7) !== field.wireType) throw HAND_OVER;
    let v: unknown;
    switch (field.kind) {
      case ScalarType.STRING: {
        const n = readVarint(r, end) >>> 0;
        if (n > end - r.at) throw HAND_OVER;
        v = readString(buf, r.at, r.at + n);
        r.at += n;
        break;
      }
      case ScalarType.BYTES: {
        const n = readVarint(r, end) >>> 0;
        if (n > end - r.at) throw HAND_OVER;
        v = buf.subarray(r.at, r.at + n);
        r.at += n;
        break;
      }
      case ScalarType.BOOL: {
        // Any varint; true unless every bit is zero.
        const from = r.at;
        readVarint(r, end);
        let any = false;
        for (let i = from; i < r.at; i++) if ((buf[i]! & 0x7f) !== 0) any = true;
        v = any;
        break;
      }
      case 'enum':
      case ScalarType.INT32:
        v = readVarint(r, end) | 0;
        break;
      case ScalarType.UINT32:
        v = readVarint(r, end) >>> 0;
        break;
      case ScalarType.SINT32: {
        const z = readVarint(r, end) >>> 0;
        v = (z >>> 1) ^ -(z & 1);
        break;
      }
      case ScalarType.FIXED32:
      case ScalarType.SFIXED32:
      case ScalarType.FLOAT:
        if (end - r.at < 4) throw HAND_OVER;
        v =
          field.kind === ScalarType.FIXED32
            ? buf.readUInt32LE(r.at)
            : field.kind === ScalarType.SFIXED32
              ? buf.readInt32LE(r.at)
              : buf.readFloatLE(r.at);
        r.at += 4;
        break;
      case ScalarType.DOUBLE:
        if (end - r.at < 8) throw HAND_OVER;
        v = buf.readDoubleLE(r.at);
        r.at += 8;
        break;
      case 'message': {
        const n = readVarint(r, end) >>> 0;
        if (n > end - r.at) throw HAND_OVER;
        // A singular message met twice is merged: protobuf-es does that.
        if (!field.list) {
          seenMessages ??= new Set();
          if (seenMessages.has(field)) throw HAND_OVER;
          seenMessages.add(field);
        }
        const stop = r.at + n;
        v = readMessage(field.message ?? linked(field), r, stop, depth + 1);
        r.at = stop;
        break;
      }
    }
    if (field.list) (message[field.name] as unknown[]).push(v);
    else message[field.name] = v;
  }
  if (r.at !== end) throw HAND_OVER;
  return message;
}

/** A message of `schema` from protobuf binary: the message protobuf-es' fromBinary returns. */
export function decodeBinary(schema: DescMessage, bytes: Uint8Array): unknown {
  const shape = shapeOf(schema);
  // Bytes fields are views of the input, Buffers when it is one: only Buffers are read here.
  if (shape !== null && Buffer.isBuffer(bytes)) {
    try {
      return readMessage(shape, { buf: bytes, at: 0 }, bytes.length, 0);
    } catch (e) {
      if (e !== HAND_OVER) throw e;
    }
  }
  return fromBinary(schema, bytes);
}
