import { describe, expect, it } from 'vitest';
import { parseTarget } from './target.ts';

describe('parseTarget', () => {
  it('splits scheme, authority and endpoint', () => {
    expect(parseTarget('discovery:///helloworld')).toEqual({
      scheme: 'discovery',
      authority: '',
      endpoint: 'helloworld',
    });
    expect(parseTarget('direct:///127.0.0.1:9000,127.0.0.2:9000')).toEqual({
      scheme: 'direct',
      authority: '',
      endpoint: '127.0.0.1:9000,127.0.0.2:9000',
    });
    expect(parseTarget('http://10.0.0.1:8000')).toEqual({
      scheme: 'http',
      authority: '10.0.0.1:8000',
      endpoint: '',
    });
    expect(parseTarget('DISCOVERY://ns/helloworld?x=1')).toEqual({
      scheme: 'discovery',
      authority: 'ns',
      endpoint: 'helloworld',
    });
  });

  it('treats a bare address as direct', () => {
    expect(parseTarget('127.0.0.1:9000')).toEqual({
      scheme: 'direct',
      authority: '',
      endpoint: '127.0.0.1:9000',
    });
  });

  it('rejects empty targets and bad schemes', () => {
    expect(() => parseTarget('')).toThrow(TypeError);
    expect(() => parseTarget('1x://a/b')).toThrow(/bad scheme/);
  });
});
