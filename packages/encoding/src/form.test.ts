import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describeCodecContract } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { formCodec } from './form.ts';
import { UserSchema } from './testdata/test-schema.ts';

const text = new TextDecoder();
const enc = new TextEncoder();

const user = create(UserSchema, {
  name: 'kratos & co',
  id: 7,
  big: 9007199254740993n,
  ok: true,
  status: 2,
  tags: ['a', 'b c'],
  labels: { env: 'prod', 'team.name': 'core' },
  address: { city: 'Paris', zipCode: '75001' },
  createdAt: timestampFromDate(new Date('2024-01-02T03:04:05Z')),
  mask: { paths: ['name', 'address.zip_code'] },
  count: 3,
  data: new Uint8Array([1, 2, 255]),
  ratio: 0.5,
  ids: [1, 2, 3],
} as never);

describeCodecContract(formCodec, {
  name: 'form',
  contentType: 'application/x-www-form-urlencoded',
  samples: [
    {},
    { name: 'kratos', id: '7', blank: '' },
    { tags: ['a', 'b', 'c'], user: { name: 'x', address: { city: 'y' } } },
    { text: 'héllo ✓ 世界 🚀 & = + % ? #', 'odd key': 'v' },
    { items: [{ id: '1' }, { id: '2', extra: { x: 'y' } }] },
  ],
  invalid: [
    'a=%zz',
    'a=%E0%A4%A',
    'a=1;b=2',
    'a=1&a.b=2',
    new Uint8Array([0x61, 0x3d, 0xff, 0xfe]),
    'a[b=1',
    '__proto__.x=1',
  ],
  empty: {},
  messageSamples: [
    { schema: UserSchema, message: user },
    { schema: UserSchema, message: create(UserSchema) },
  ],
});

describe('formCodec', () => {
  it('writes sorted, Go-escaped keys with dots, brackets and repeats', () => {
    const out = text.decode(
      formCodec.marshal({ z: 'last', a: { b: 1, c: true }, list: ['x y', "it's"], n: null }),
    );
    expect(out).toBe('a.b=1&a.c=true&list=x+y&list=it%27s&z=last');
  });

  it('reads repeated keys, brackets and [] lists', () => {
    expect(formCodec.unmarshal(enc.encode('a=1&a=2&m[k]=v&one[]=x&p.q=r&flag'))).toEqual({
      a: ['1', '2'],
      m: { k: 'v' },
      one: ['x'],
      p: { q: 'r' },
      flag: '',
    });
  });

  it('rejects values it cannot write', () => {
    expect(() => formCodec.marshal('text')).toThrow(/can only marshal an object/);
    expect(() => formCodec.marshal({ n: Number.NaN })).toThrow(/cannot be written/);
  });

  it('writes messages the way Go Kratos does', () => {
    const out = text.decode(formCodec.marshalMessage(UserSchema, user));
    expect(out.split('&')).toEqual([
      'address.city=Paris',
      'address.zipCode=75001',
      'big=9007199254740993',
      'count=3',
      'createdAt=2024-01-02T03%3A04%3A05Z',
      'data=AQL%2F',
      'id=7',
      'ids=1',
      'ids=2',
      'ids=3',
      'labels%5Benv%5D=prod',
      'labels%5Bteam.name%5D=core',
      'mask=name%2Caddress.zipCode',
      'name=kratos+%26+co',
      'ok=true',
      'ratio=0.5',
      'status=BLOCKED',
      'tags=a',
      'tags=b+c',
    ]);
  });

  it('reads proto names, numbers for enums, Go bools and ignores unknown fields', () => {
    const msg = formCodec.unmarshalMessage(
      UserSchema,
      enc.encode(
        'name=x&status=1&ok=1&address.zip_code=9&created_at=2024-01-02T03:04:05Z&unknown=1&ids=4&ids=5',
      ),
    ) as Record<string, unknown>;
    expect(msg).toMatchObject({ name: 'x', status: 1, ok: true, address: { zipCode: '9' }, ids: [4, 5] });
    expect((msg.createdAt as { seconds: bigint }).seconds).toBe(1704164645n);
  });

  it('rejects bad message input with clear errors', () => {
    const bad = (s: string) => () => formCodec.unmarshalMessage(UserSchema, enc.encode(s));
    expect(bad('id=abc')).toThrow(/form codec: cannot decode test.v1.User/);
    expect(bad('ok=maybe')).toThrow(/"maybe" is not a bool/);
    expect(bad('name=a&name=b')).toThrow(/too many values for field "name"/);
    expect(bad('name.x=1')).toThrow(/"name" is not a message/);
    expect(bad('address=x')).toThrow(/is a message/);
    expect(bad('status=NOPE')).toThrow(/"NOPE" is not a valid test.v1.Status value/);
  });
});
