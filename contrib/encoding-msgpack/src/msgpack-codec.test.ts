import { createCodecRegistry } from '@kratos/core/transport';
import { describeCodecContract } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { createMsgpackCodec, MSGPACK_CONTENT_TYPES, msgpackCodec } from './msgpack-codec.ts';

describeCodecContract(msgpackCodec, {
  name: 'msgpack',
  contentType: 'application/msgpack',
  invalid: [
    new Uint8Array([0xc1]), // reserved, never used
    new Uint8Array([0x92, 0x01]), // array of 2 with 1 item
    new Uint8Array([0x81, 0xa1, 0x61]), // map entry without its value
    new Uint8Array([0x01, 0x02]), // trailing byte
  ],
  empty: {},
});

describe('msgpackCodec', () => {
  it('writes compact MessagePack', () => {
    expect([...msgpackCodec.marshal({ a: 1 })]).toEqual([0x81, 0xa1, 0x61, 0x01]);
  });

  it('keeps earlier results intact when it encodes again', () => {
    const first = msgpackCodec.marshal({ a: 'first' });
    const copy = [...first];
    msgpackCodec.marshal({ b: 'second, longer value' });
    expect([...first]).toEqual(copy);
  });

  it('sorts keys when asked', () => {
    const codec = createMsgpackCodec({ sortKeys: true });
    expect([...codec.marshal({ b: 1, a: 2 })]).toEqual([...codec.marshal({ a: 2, b: 1 })]);
  });

  it('refuses forged lengths over the limits', () => {
    const codec = createMsgpackCodec({ limits: { maxArrayLength: 3 } });
    expect(() => codec.unmarshal(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))).toThrow(/msgpack codec/);
    expect(() => msgpackCodec.unmarshal(new Uint8Array([0xdb, 0x7f, 0xff, 0xff, 0xff]))).toThrow(
      /msgpack codec/,
    );
  });

  it('reads 64-bit integers as bigint when asked', () => {
    const codec = createMsgpackCodec({ useBigInt64: true });
    expect(codec.unmarshal(codec.marshal({ n: 2n ** 60n }))).toEqual({ n: 2n ** 60n });
  });

  it('is found by both media types', () => {
    const registry = createCodecRegistry().register(msgpackCodec, ...MSGPACK_CONTENT_TYPES.slice(1));
    for (const t of MSGPACK_CONTENT_TYPES) expect(registry.byContentType(t)).toBe(msgpackCodec);
  });
});
