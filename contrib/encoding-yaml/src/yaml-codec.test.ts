import { createCodecRegistry } from '@kratos/core/transport';
import { describeCodecContract } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { createYamlCodec, YAML_CONTENT_TYPES, yamlCodec } from './yaml-codec.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describeCodecContract(yamlCodec, {
  name: 'yaml',
  contentType: 'application/yaml',
  invalid: [
    'a: [1, 2',
    '{a: 1',
    'a: 1\na: 2',
    'a: b: c',
    '--- 1\n--- 2',
    new Uint8Array([0x61, 0x3a, 0x20, 0xff]),
  ],
  empty: {},
});

describe('yamlCodec', () => {
  it('writes block YAML and keeps strings that look like other types as strings', () => {
    expect(dec.decode(yamlCodec.marshal({ name: 'kratos', tags: ['a'], yes: 'yes', n: '7' }))).toBe(
      'name: kratos\ntags:\n  - a\nyes: yes\nn: "7"\n',
    );
    expect(yamlCodec.unmarshal(enc.encode('on: yes\nn: 007'))).toEqual({ on: 'yes', n: 7 });
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x]', 'b: &b [*a, *a, *a, *a]', 'c: [*b, *b, *b, *b]'].join('\n');
    expect(() => createYamlCodec({ maxAliasCount: 5 }).unmarshal(enc.encode(bomb))).toThrow(/yaml codec/);
  });

  it('is found by every YAML media type', () => {
    const registry = createCodecRegistry().register(yamlCodec, ...YAML_CONTENT_TYPES.slice(1));
    for (const t of [...YAML_CONTENT_TYPES, 'application/yaml; charset=utf-8']) {
      expect(registry.byContentType(t)).toBe(yamlCodec);
    }
  });

  it('honours indent', () => {
    expect(dec.decode(createYamlCodec({ indent: 4 }).marshal({ a: { b: 1 } }))).toBe('a:\n    b: 1\n');
  });
});
