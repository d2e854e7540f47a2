// Writing: a message is sized first (strings and nested messages measured once), then written
// into one Buffer of exactly that size, after the headroom its caller asked for.
import { type DescMessage, ScalarType, toBinary } from '@bufbuild/protobuf';
import {
  type Field,
  FLOAT32_MAX,
  HAND_OVER,
  isInt32,
  isSet,
  isUint32,
  linked,
  type Shape,
  shapeOf,
} from './shape.ts';

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * The bytes of a value after its tag. `sizes` collects the byte lengths of strings and nested
 * messages in the order the writer meets them, so that they are counted once.
 */
function valueSize(field: Field, v: unknown, sizes: number[]): number {
  switch (field.kind) {
    case ScalarType.STRING: {
      if (typeof v !== 'string') throw HAND_OVER;
      const n = Buffer.byteLength(v, 'utf8');
      sizes.push(n);
      return varintSize(n) + n;
    }
    case ScalarType.BYTES:
      if (!(v instanceof Uint8Array)) throw HAND_OVER;
      return varintSize(v.byteLength) + v.byteLength;
    case ScalarType.BOOL:
      if (typeof v !== 'boolean') throw HAND_OVER;
      return 1;
    case 'enum':
    case ScalarType.INT32:
      if (!isInt32(v)) throw HAND_OVER;
      return v < 0 ? 10 : varintSize(v);
    case ScalarType.UINT32:
      if (!isUint32(v)) throw HAND_OVER;
      return varintSize(v);
    case ScalarType.SINT32:
      if (!isInt32(v)) throw HAND_OVER;
      return varintSize(((v << 1) ^ (v >> 31)) >>> 0);
    case ScalarType.FIXED32:
      if (!isUint32(v)) throw HAND_OVER;
      return 4;
    case ScalarType.SFIXED32:
      if (!isInt32(v)) throw HAND_OVER;
      return 4;
    case ScalarType.FLOAT:
      // protobuf-es refuses finite values out of float32's range: it says so, not this file.
      if (typeof v !== 'number' || (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX)) throw HAND_OVER;
      return 4;
    case ScalarType.DOUBLE:
      if (typeof v !== 'number') throw HAND_OVER;
      return 8;
    case 'message': {
      const slot = sizes.length;
      sizes.push(0);
      const n = messageSize(field.message ?? linked(field), v, sizes);
      sizes[slot] = n;
      return varintSize(n) + n;
    }
  }
}

function messageSize(shape: Shape, m: unknown, sizes: number[]): number {
  const message = m as Record<string, unknown> & { $typeName?: string; $unknown?: unknown[] };
  if (
    typeof m !== 'object' ||
    m === null ||
    message.$typeName !== shape.typeName ||
    (message.$unknown !== undefined && message.$unknown.length > 0)
  )
    throw HAND_OVER;
  let n = 0;
  for (const field of shape.fields) {
    const v = message[field.name];
    if (field.list) {
      if (!Array.isArray(v)) throw HAND_OVER;
      for (const item of v) n += field.tag.length + valueSize(field, item, sizes);
    } else if (isSet(field, message)) n += field.tag.length + valueSize(field, v, sizes);
  }
  return n;
}

interface Cursor {
  at: number;
  /** The next entry of the string and message sizes. */
  size: number;
}

function writeVarint(buf: Buffer, c: Cursor, v: number): void {
  while (v > 0x7f) {
    buf[c.at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[c.at++] = v;
}

function writeValue(buf: Buffer, c: Cursor, field: Field, v: unknown, sizes: number[]): void {
  buf.set(field.tag, c.at);
  c.at += field.tag.length;
  switch (field.kind) {
    case ScalarType.STRING: {
      const n = sizes[c.size++]!;
      const text = v as string;
      writeVarint(buf, c, n);
      // As many bytes as characters: ASCII, copied code by code (Buffer#write costs ~100 ns a call).
      if (n === text.length && n <= 64) for (let i = 0; i < n; i++) buf[c.at++] = text.charCodeAt(i);
      else c.at += buf.write(text, c.at, n, 'utf8');
      return;
    }
    case ScalarType.BYTES: {
      const b = v as Uint8Array;
      writeVarint(buf, c, b.byteLength);
      buf.set(b, c.at);
      c.at += b.byteLength;
      return;
    }
    case ScalarType.BOOL:
      buf[c.at++] = v ? 1 : 0;
      return;
    case 'enum':
    case ScalarType.INT32: {
      const i = v as number;
      if (i >= 0) writeVarint(buf, c, i);
      else writeNegativeVarint(buf, c, i >>> 0);
      return;
    }
    case ScalarType.UINT32:
      writeVarint(buf, c, v as number);
      return;
    case ScalarType.SINT32: {
      const i = v as number;
      writeVarint(buf, c, ((i << 1) ^ (i >> 31)) >>> 0);
      return;
    }
    case ScalarType.FIXED32:
      c.at = buf.writeUInt32LE(v as number, c.at);
      return;
    case ScalarType.SFIXED32:
      c.at = buf.writeInt32LE(v as number, c.at);
      return;
    case ScalarType.FLOAT:
      c.at = buf.writeFloatLE(v as number, c.at);
      return;
    case ScalarType.DOUBLE:
      c.at = buf.writeDoubleLE(v as number, c.at);
      return;
    case 'message':
      writeVarint(buf, c, sizes[c.size++]!);
      writeMessage(buf, c, field.message!, v as Record<string, unknown>, sizes);
      return;
  }
}

/** A negative int32 as a 10-byte varint (its 64-bit two's complement): the low 32 bits, then the sign. */
function writeNegativeVarint(buf: Buffer, c: Cursor, low: number): void {
  for (let i = 0; i < 4; i++) {
    buf[c.at++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  // Bits 28-31 of the value and bits 32-34 of the sign extension (all ones).
  buf[c.at++] = (low & 0x0f) | 0x70 | 0x80;
  for (let i = 0; i < 4; i++) buf[c.at++] = 0xff;
  buf[c.at++] = 0x01;
}

function writeMessage(
  buf: Buffer,
  c: Cursor,
  shape: Shape,
  message: Record<string, unknown>,
  sizes: number[],
): void {
  for (const field of shape.fields) {
    const v = message[field.name];
    if (field.list) for (const item of v as unknown[]) writeValue(buf, c, field, item, sizes);
    else if (isSet(field, message)) writeValue(buf, c, field, v, sizes);
  }
}

/**
 * `message` (of `schema`) in protobuf binary after `headroom` bytes left for the caller (a frame
 * header), in one pooled Buffer; the bytes are the ones protobuf-es' toBinary writes.
 */
export function encodeBinary(schema: DescMessage, message: unknown, headroom = 0): Buffer {
  const shape = shapeOf(schema);
  if (shape !== null) {
    const sizes: number[] = [];
    let n: number;
    try {
      n = messageSize(shape, message, sizes);
    } catch (e) {
      if (e !== HAND_OVER) throw e;
      n = -1;
    }
    if (n >= 0) {
      const buf = Buffer.allocUnsafe(headroom + n);
      writeMessage(buf, { at: headroom, size: 0 }, shape, message as Record<string, unknown>, sizes);
      return buf;
    }
  }
  const bytes = toBinary(schema, message as never);
  if (headroom === 0) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const buf = Buffer.allocUnsafe(headroom + bytes.byteLength);
  buf.set(bytes, headroom);
  return buf;
}
