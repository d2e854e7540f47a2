import { describe, expect, it } from 'vitest';
import { compareUtf8, goJson, goStringMapJson } from '../adapter.ts';

describe('Go JSON', () => {
  it('escapes what encoding/json escapes and nothing else', () => {
    expect(goJson({ a: '<b>&\u2028\u2029', n: 1, l: ['x'] })).toBe(
      '{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029","n":1,"l":["x"]}',
    );
    expect(goJson('tab\there "q" \\ é')).toBe('"tab\\there \\"q\\" \\\\ é"');
    expect(goJson(undefined)).toBe('null');
  });

  it('writes a string map with keys in Go order and values as strings', () => {
    // Go: json.Marshal(map[string]string{...}) sorts keys by their UTF-8 bytes.
    expect(goStringMapJson({ b: '<x>', '10': 'ten', '2': 'two', a: '&', '\ue000': 'e', '😀': 'smile' })).toBe(
      '{"10":"ten","2":"two","a":"\\u0026","b":"\\u003cx\\u003e","\ue000":"e","😀":"smile"}',
    );
    expect(goStringMapJson({})).toBe('{}');
    expect(goStringMapJson({ n: 5, t: true })).toBe('{"n":"5","t":"true"}');
  });

  it('orders strings by code point, as sort.Strings orders their UTF-8', () => {
    const words = ['😀', '\uffff', 'b', 'a', 'ab', '', '\ue000', '𝒜'];
    const bytes = (s: string) => [...new TextEncoder().encode(s)];
    const byBytes = [...words].sort((x, y) => {
      const bx = bytes(x);
      const by = bytes(y);
      for (let i = 0; i < Math.min(bx.length, by.length); i++) if (bx[i] !== by[i]) return bx[i]! - by[i]!;
      return bx.length - by.length;
    });
    expect([...words].sort(compareUtf8)).toEqual(byBytes);
    expect([...words].sort()).not.toEqual(byBytes); // what JavaScript's own order would get wrong
  });
});
