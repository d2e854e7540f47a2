import { create, createRegistry, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { createProtoCodec, protoCodec } from './proto.ts';
import { UserSchema } from './testdata/test-schema.ts';

const user = create(UserSchema, {
  name: 'kratos',
  id: 7,
  big: 9007199254740993n,
  ok: true,
  status: 2,
  tags: ['a', 'b'],
  labels: { env: 'prod' },
  address: { city: 'Paris', zipCode: '75001' },
  createdAt: timestampFromDate(new Date('2024-01-02T03:04:05Z')),
  data: new Uint8Array([1, 2, 255]),
} as never);

describe('protoCodec', () => {
  it('names itself like Go Kratos', () => {
    expect(protoCodec.name).toBe('proto');
    expect(protoCodec.contentType).toBe('application/x-protobuf');
  });

  it('round-trips messages and writes standard protobuf binary', () => {
    const data = protoCodec.marshalMessage(UserSchema, user);
    expect([...data]).toEqual([...toBinary(UserSchema, user)]);
    expect(protoCodec.unmarshalMessage(UserSchema, data)).toEqual(user);
    expect(fromBinary(UserSchema, data)).toEqual(user);
  });

  it('decodes from a Buffer and from a view into a larger buffer', () => {
    const data = protoCodec.marshalMessage(UserSchema, user);
    expect(protoCodec.unmarshalMessage(UserSchema, Buffer.from(data))).toEqual(user);
    const big = new Uint8Array(data.length + 20).fill(0xff);
    big.set(data, 9);
    expect(protoCodec.unmarshalMessage(UserSchema, big.subarray(9, 9 + data.length))).toEqual(user);
  });

  it('accepts an init object for marshalMessage', () => {
    const data = protoCodec.marshalMessage(UserSchema, { name: 'x', id: 1 });
    expect(protoCodec.unmarshalMessage(UserSchema, data)).toMatchObject({ name: 'x', id: 1 });
  });

  it('rejects malformed bytes with a clear error', () => {
    expect(() => protoCodec.unmarshalMessage(UserSchema, new Uint8Array([0x0a, 0x05, 0x61]))).toThrow(
      /proto codec: cannot decode test.v1.User/,
    );
    expect(() => protoCodec.unmarshalMessage(UserSchema, new Uint8Array([0xff, 0xff, 0xff]))).toThrow(
      TypeError,
    );
  });

  it('rejects non-messages and wrong schemas', () => {
    expect(() => protoCodec.marshal({ a: 1 })).toThrow(/can only marshal protobuf messages/);
    expect(() => protoCodec.marshal(user)).toThrow(/no schema for test.v1.User/);
    expect(() => protoCodec.unmarshal(new Uint8Array())).toThrow(/needs its schema/);
    expect(() => protoCodec.marshalMessage({} as DescMessage, user)).toThrow(/DescMessage/);
    expect(() => protoCodec.marshalMessage(UserSchema, 'x')).toThrow(/want a test.v1.User message/);
    const address = create(UserSchema.field.address!.message!, { city: 'x' });
    expect(() => protoCodec.marshalMessage(UserSchema, address)).toThrow(/got test.v1.Address/);
  });

  it('marshals by $typeName with a registry', () => {
    const codec = createProtoCodec({ registry: createRegistry(UserSchema) });
    expect([...codec.marshal(user)]).toEqual([...toBinary(UserSchema, user)]);
  });
});
