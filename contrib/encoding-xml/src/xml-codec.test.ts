import { createCodecRegistry } from '@kratos/core/transport';
import { describeCodecContract } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { createXmlCodec, XML_CONTENT_TYPES, xmlCodec } from './xml-codec.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describeCodecContract(xmlCodec, {
  name: 'xml',
  contentType: 'application/xml',
  // XML has no types, no empty lists and no one-item lists: samples stay inside what survives.
  samples: [
    {},
    { name: 'kratos', id: 7, ratio: 0.25, negative: -3, ok: true, off: false },
    { nested: { deeper: { list: [1, 2, 3] } }, tags: ['a', 'b'] },
    { text: 'héllo ✓ 世界 🚀', quotes: `"'\\/<>&`, controls: 'line\nnext\ttab', blank: '', spaced: '  x  ' },
    { items: [{ id: 1 }, { id: 2, extra: { x: 'y' } }] },
    { big: 9007199254740991, small: 1e-7 },
  ],
  invalid: [
    '<root><a>1</root>',
    '<root>',
    'not xml',
    '<a>1</a><b>2</b>',
    '<!DOCTYPE lolz [<!ENTITY lol "lol">]><root>&lol;</root>',
    new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]),
  ],
  empty: {},
});

describe('xmlCodec', () => {
  it('writes elements inside <root>', () => {
    expect(dec.decode(xmlCodec.marshal({ user: { name: 'a&b', tags: ['x', 'y'] }, none: null }))).toBe(
      '<root><user><name>a&amp;b</name><tags>x</tags><tags>y</tags></user><none></none></root>',
    );
  });

  it('reads any root, skips declarations and attributes, keeps number-like strings when asked', () => {
    const doc = '<?xml version="1.0" encoding="UTF-8"?><Req id="9"><n>007</n><hex>0x1F</hex></Req>';
    expect(xmlCodec.unmarshal(enc.encode(doc))).toEqual({ n: '007', hex: '0x1F' });
    expect(createXmlCodec({ parseValues: false }).unmarshal(enc.encode('<r><n>7</n></r>'))).toEqual({
      n: '7',
    });
  });

  it('rejects names and text XML cannot carry', () => {
    expect(() => xmlCodec.marshal({ 'odd key': 1 })).toThrow(/not a valid XML element name/);
    expect(() => xmlCodec.marshal({ a: 'bell\u0007' })).toThrow(/cannot carry/);
    expect(() => xmlCodec.marshal('text')).toThrow(/can only marshal an object/);
    expect(() => createXmlCodec({ rootName: '1x' })).toThrow(/rootName/);
  });

  it('limits nesting depth', () => {
    const deep = `${'<a>'.repeat(20)}1${'</a>'.repeat(20)}`;
    expect(() => createXmlCodec({ maxDepth: 10 }).unmarshal(enc.encode(deep))).toThrow(/xml codec/);
  });

  it('uses a custom root name', () => {
    expect(dec.decode(createXmlCodec({ rootName: 'Request' }).marshal({ a: 1 }))).toBe(
      '<Request><a>1</a></Request>',
    );
  });

  it('is found by both media types', () => {
    const registry = createCodecRegistry().register(xmlCodec, ...XML_CONTENT_TYPES.slice(1));
    for (const t of XML_CONTENT_TYPES) expect(registry.byContentType(t)).toBe(xmlCodec);
  });
});

describe('xmlCodec reading indented documents', () => {
  it('ignores the whitespace between elements but keeps it inside text', () => {
    const doc = '<root>\n  <a>1</a>\n  <b>\n    <c> x </c>\n  </b>\n  <l>1</l>\n  <l>2</l>\n</root>\n';
    expect(xmlCodec.unmarshal(enc.encode(doc))).toEqual({ a: 1, b: { c: ' x ' }, l: [1, 2] });
  });
});
