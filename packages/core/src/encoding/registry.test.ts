import { describe, expect, it } from 'vitest';
import type { MessageCodec } from '../adapter.ts';
import { type Codec, jsonCodec } from '../index.ts';
import { createCodecRegistry, isMessageCodec, mediaType } from '../transport.ts';

const fake = (name: string, contentType: string): Codec => ({
  name,
  contentType,
  marshal: (v) => new TextEncoder().encode(String(v)),
  unmarshal: (d) => new TextDecoder().decode(d),
});

describe('jsonCodec', () => {
  it('round-trips and treats an empty body as an empty object', () => {
    const bytes = jsonCodec.marshal({ a: [1, 'x'] });
    expect(new TextDecoder().decode(bytes)).toBe('{"a":[1,"x"]}');
    expect(jsonCodec.unmarshal(bytes)).toEqual({ a: [1, 'x'] });
    expect(jsonCodec.unmarshal(new Uint8Array())).toEqual({});
    expect(new TextDecoder().decode(jsonCodec.marshal(undefined))).toBe('null');
    expect(jsonCodec.name).toBe('json');
    expect(jsonCodec.contentType).toBe('application/json');
  });

  it('throws on malformed input', () => {
    expect(() => jsonCodec.unmarshal(new TextEncoder().encode('{oops'))).toThrow(SyntaxError);
    expect(() => jsonCodec.unmarshal(new Uint8Array([0x22, 0xff, 0x22]))).toThrow();
  });
});

describe('createCodecRegistry', () => {
  it('always has JSON, by name and by content type', () => {
    const reg = createCodecRegistry();
    expect(reg.byName('json')).toBe(jsonCodec);
    expect(reg.byContentType('application/json')).toBe(jsonCodec);
    expect(reg.list()).toEqual([jsonCodec]);
  });

  it('ignores parameters and case in content types', () => {
    const reg = createCodecRegistry();
    expect(reg.byContentType('application/json; charset=utf-8')).toBe(jsonCodec);
    expect(reg.byContentType('Application/JSON;charset=UTF-8')).toBe(jsonCodec);
    expect(mediaType(' Application/JSON ; q=1')).toBe('application/json');
  });

  it('finds a codec by structured-syntax suffix and by subtype', () => {
    const yaml = fake('yaml', 'application/yaml');
    const reg = createCodecRegistry([yaml]);
    expect(reg.byContentType('application/vnd.api+json')).toBe(jsonCodec);
    expect(reg.byContentType('application/problem+json; charset=utf-8')).toBe(jsonCodec);
    expect(reg.byContentType('text/yaml')).toBe(yaml);
    expect(reg.byContentType('application/x-yaml')).toBe(yaml);
  });

  it('maps protobuf media types to the proto codec when one is registered', () => {
    const without = createCodecRegistry();
    expect(without.byContentType('application/x-protobuf')).toBeUndefined();
    const proto = fake('proto', 'application/x-protobuf');
    const reg = createCodecRegistry([proto]);
    expect(reg.byContentType('application/x-protobuf')).toBe(proto);
    expect(reg.byContentType('application/protobuf')).toBe(proto);
    expect(reg.byName('proto')).toBe(proto);
  });

  it('gives undefined for unknown content types', () => {
    const reg = createCodecRegistry();
    for (const ct of [
      'text/plain',
      'application/octet-stream',
      '',
      'garbage',
      'multipart/form-data; boundary=x',
    ]) {
      expect(reg.byContentType(ct)).toBeUndefined();
      expect(reg.byContentType(ct)).toBeUndefined();
    }
    expect(reg.byName('xml')).toBeUndefined();
  });

  it('register adds extra content types and replaces by name (clearing cached lookups)', () => {
    const reg = createCodecRegistry();
    expect(reg.byContentType('text/x-form')).toBeUndefined();
    const form = fake('form', 'application/x-www-form-urlencoded');
    expect(reg.register(form, 'text/x-form')).toBe(reg);
    expect(reg.byContentType('text/x-form')).toBe(form);
    expect(reg.byContentType('application/x-www-form-urlencoded')).toBe(form);
    const json2 = fake('json', 'application/json');
    reg.register(json2);
    expect(reg.byName('json')).toBe(json2);
    expect(reg.byContentType('application/json; charset=utf-8')).toBe(json2);
  });

  it('isMessageCodec tells native protobuf codecs apart', () => {
    const msg: MessageCodec = {
      ...fake('proto', 'application/x-protobuf'),
      marshalMessage: () => new Uint8Array(),
      unmarshalMessage: () => ({}),
    };
    expect(isMessageCodec(msg)).toBe(true);
    expect(isMessageCodec(jsonCodec)).toBe(false);
  });
});
