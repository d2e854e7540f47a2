// proto-json against protobuf-es: for every text, the message fromJsonString reads, or its error;
// for every message, the text toJsonString writes, or its error.
import {
  create,
  fromJsonString,
  type JsonReadOptions,
  type JsonWriteStringOptions,
  toJsonString,
} from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { All, Leaf, randomAll, rng, schema } from '../testdata/shapes.ts';
import { decodeJson, encodeJson } from './index.ts';
import { memberNames, readPlain } from './read.ts';
import { writePlain } from './write.ts';

type Outcome = { message: unknown } | { error: string };

function outcome(read: () => unknown): Outcome {
  try {
    return { message: read() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** decodeJson gives what fromJsonString gives: the same message (own keys too) or the same error. */
function expectSame(text: string, options?: Partial<JsonReadOptions>, s = All): Outcome {
  const want = outcome(() => fromJsonString(s, text, options));
  const got = outcome(() => decodeJson(s, text, options));
  expect(got, text).toStrictEqual(want);
  if ('message' in want && 'message' in got)
    expect(Object.keys(got.message as object).sort(), text).toEqual(
      Object.keys(want.message as object).sort(),
    );
  return want;
}

const READ = { ignoreUnknownFields: true };

describe('proto-json', () => {
  it('reads canonical JSON itself, to the message protobuf-es reads, for 2,000 generated messages', () => {
    const next = rng(11);
    for (let i = 0; i < 2000; i++) {
      const m = randomAll(next);
      // JSON names and proto names, enum names and numbers: every form toJsonString writes.
      const text = toJsonString(All, m, { useProtoFieldName: i % 2 === 1, enumAsInteger: i % 3 === 0 });
      const want = expectSame(text, READ);
      const plain = readPlain(All, text, 100);
      // NaN and infinities are written as strings, which protobuf-es reads; it refuses lone
      // surrogates (the generator writes some).
      if (/"(NaN|-?Infinity)"|\\ud800/.test(text)) expect(plain, text).toBeUndefined();
      else expect({ message: plain }, text).toStrictEqual(want);
    }
  });

  it('leaves every other form of a value to protobuf-es: the same message or the same error', () => {
    const texts = [
      '{"i32":"12"}',
      '{"i32":-0}',
      '{"i32":1e2}',
      '{"u32":3.0}',
      '{"d":-0}',
      '{"d":1e308}',
      '{"fl":-0.0}',
      '{"i32":1.5}',
      '{"i32":2147483648}',
      '{"i32":-2147483649}',
      '{"u32":-1}',
      '{"u32":4294967296}',
      '{"f32":"7"}',
      '{"fl":"NaN"}',
      '{"fl":3.5e38}',
      '{"fl":1e39}',
      '{"d":"-Infinity"}',
      '{"d":"1e5"}',
      '{"d":true}',
      '{"flag":"true"}',
      '{"flag":1}',
      '{"s":5}',
      '{"s":"\\ud800"}',
      '{"s":null}',
      '{"b":"AQID"}',
      '{"b":"AQI-_w"}',
      '{"b":"!!"}',
      '{"color":"RED"}',
      '{"color":"BLUE"}',
      '{"color":7}',
      '{"color":1.5}',
      '{"color":null}',
      '{"child":null}',
      '{"child":[]}',
      '{"child":"x"}',
      '{"child":{"child":{"s":"deep"}}}',
      '{"names":null}',
      '{"names":"a"}',
      '{"names":["a",null]}',
      '{"names":["a",1]}',
      '{"children":[{"n":1},{"label":"x"}]}',
      '{"children":[null]}',
      '{"opt":0}',
      '{"opt":null}',
      '{"optS":""}',
      '{"opt_s":"x","optS":"y"}',
      '{"opt_s":"x"}',
      '{"unknown":1}',
      '{"unknown":{"a":1,"a":2}}',
      '{"[t.v1.ext]":1}',
      '{"s":"a","s":"b"}',
      '{"child":{"s":"a","s":"b"}}',
      '{"s":"a","child":{"s":"a"}}',
      '{"s" : "spaced" , "i32" :\n 3}',
      '{"s":"\\"quoted\\":","i32":1}',
      '{"s":"back\\\\","i32":1}',
      '{}',
      '[]',
      'null',
      '"x"',
      '{"s":',
      '',
      '{"__proto__":{"s":"x"}}',
    ];
    for (const text of texts) {
      expectSame(text, READ);
      expectSame(text);
    }
  });

  it('refuses what protobuf-es refuses, with its message', () => {
    for (const text of [
      '{"s":"a","s":"b"}',
      '{"i32":1.5}',
      '{"unknown":1}',
      '{"s":',
      '{"opt_s":"x","optS":"y"}',
    ]) {
      const want = outcome(() => fromJsonString(All, text));
      expect('error' in want, text).toBe(true);
      expect(outcome(() => decodeJson(All, text))).toStrictEqual(want);
    }
  });

  it('keeps protobuf-es recursion limit', () => {
    let text = '{}';
    for (let i = 0; i < 120; i++) text = `{"child":${text}}`;
    const deep = expectSame(text, READ);
    expect('error' in deep).toBe(true);
    expectSame(text, { ...READ, recursionLimit: 200 });
    expect(readPlain(All, text, 200)).toBeDefined();
    expect(readPlain(All, text, 100)).toBeUndefined();
  });

  it('reads corrupted texts as protobuf-es does', () => {
    const next = rng(12);
    const tokens = [
      'null',
      '1',
      '-1',
      '1.5',
      '"x"',
      '"RED"',
      'true',
      '[]',
      '{}',
      '"AQID"',
      '2147483648',
      '"7"',
    ];
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      // Without the generator's lone surrogates, which make every text fail.
      const text = toJsonString(All, randomAll(next)).replaceAll('\\ud800', 'é');
      const value = JSON.parse(text) as Record<string, unknown>;
      const keys = Object.keys(value);
      let bad: string;
      if (keys.length > 0 && next() < 0.5) {
        const key = keys[Math.floor(next() * keys.length)]!;
        const token = tokens[Math.floor(next() * tokens.length)]!;
        bad =
          next() < 0.7
            ? JSON.stringify({ ...value, [key]: JSON.parse(token) })
            : // The same key twice, as text: JSON.parse keeps the last.
              `{${JSON.stringify(key)}:${token},${text.slice(1)}`;
      } else bad = text.slice(0, Math.floor(next() * text.length));
      if ('error' in expectSame(bad, next() < 0.5 ? READ : undefined)) errors++;
    }
    // The corruption reached both outcomes.
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(2700);
  });

  it('leaves the shapes it does not read to protobuf-es', () => {
    for (const [name, text] of [
      ['WithOneof', '{"b":7}'],
      ['WithInt64', '{"n":"-5","s":"x"}'],
      ['WithInts', '{"ns":[1,-2,300]}'],
      ['HoldsOneof', '{"inner":{"a":"in"}}'],
      ['Legacy', '{"s":"y"}'],
    ] as const) {
      expect(readPlain(schema(name), text, 100)).toBeUndefined();
      expectSame(text, READ, schema(name));
    }
    expect(readPlain(Leaf, '{"n":3,"label":"x"}', 100)).toStrictEqual(
      fromJsonString(Leaf, '{"n":3,"label":"x"}'),
    );
  });

  it('counts member names, not strings that look like them', () => {
    expect(memberNames('{}')).toBe(0);
    expect(memberNames('{"a":1,"b":{"c":"d"}}')).toBe(3);
    expect(memberNames('{"a":"x\\":","b" :\t"\\\\"}')).toBe(2);
    expect(memberNames('["a","b",{"c":["d"]}]')).toBe(1);
    expect(memberNames('{"a\\"b":1,"c\\\\":2}')).toBe(2);
    expect(memberNames('{"a')).toBe(-1);
  });

  it('writes the text protobuf-es writes, for 2,000 generated messages, itself', () => {
    const next = rng(13);
    for (let i = 0; i < 2000; i++) {
      const m = randomAll(next);
      const want = toJsonString(All, m);
      expect(writePlain(All, m)).toBe(want);
      expect(encodeJson(All, m)).toBe(want);
    }
  });

  it('leaves options and messages that stray from their descriptor to protobuf-es', () => {
    const m = randomAll(rng(14));
    const options: Partial<JsonWriteStringOptions>[] = [
      { alwaysEmitImplicit: true },
      { enumAsInteger: true },
      { useProtoFieldName: true },
      { prettySpaces: 2 },
    ];
    for (const o of options) expect(encodeJson(All, m, o)).toBe(toJsonString(All, m, o));
    const strays: Record<string, unknown>[] = [
      { s: 5 },
      { i32: '0' },
      { i32: '7' },
      { i32: Number.NaN },
      { u32: 1.5 },
      { fl: '1' },
      { flag: 1 },
      { b: 'AQID' },
      { color: Number.NaN },
      { color: 1.5 },
      { color: 'RED' },
      { names: undefined },
      { names: ['a', 2] },
      { child: create(Leaf) },
      { child: { $typeName: 't.v1.All' } },
      { child: { ...create(All), $typeName: 't.v1.Leaf' } },
      { children: [create(All)] },
      { $unknown: [{ no: 99, wireType: 0, data: new Uint8Array([1]) }] },
    ];
    let errors = 0;
    for (const stray of strays) {
      const bad = { ...create(All, { s: 'x' }), ...stray };
      const want = outcome(() => toJsonString(All, bad as never));
      if ('error' in want) errors++;
      expect(
        outcome(() => encodeJson(All, bad)),
        String(Object.keys(stray)),
      ).toStrictEqual(want);
    }
    expect(errors).toBeGreaterThan(5);
    // A message type it does not write.
    const oneof = create(schema('WithOneof'), { choice: { case: 'b', value: 7 } });
    expect(writePlain(schema('WithOneof'), oneof)).toBeUndefined();
    expect(encodeJson(schema('WithOneof'), oneof)).toBe(toJsonString(schema('WithOneof'), oneof));
  });
});
