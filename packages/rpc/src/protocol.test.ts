import { describe, expect, it } from 'vitest';
import { connectGetWire, parseConnectQuery } from './protocol.ts';

describe('parseConnectQuery', () => {
  // URLSearchParams is what the Connect spec's form encoding means; the parser must agree with it.
  const queries = [
    '',
    'connect=v1&encoding=json&message=%7B%22name%22%3A%22bench%22%7D',
    'encoding=proto&base64=1&message=CgViZW5jaA&compression=identity',
    'message=a+b%20c&encoding=json',
    'message=%E6%97%A5%E6%9C%AC&encoding=json',
    'message=%zz%4&encoding=json', // malformed escapes stay as they are
    'message=%C3%28&encoding=json', // an invalid UTF-8 sequence
    'encoding=json&encoding=proto', // the first one counts
    'message&encoding=', // no '=' and an empty value
    '&&encoding=json&',
    'enc%6Fding=json&m%65ssage=x', // escaped keys
    'message==%3D&encoding=json',
    'other=1&message=%2B',
    'messag%65=x&encodin%67=json&base%364=1', // escaped last characters
    'message+=x&+encoding=json&encoding=proto', // names with spaces are other names
    'MESSAGE=x&Encoding=json&encoding=json', // names are case-sensitive
    'compression=gzip&message=%zz+%41', // a malformed escape and a space in one value
  ];
  for (const q of queries) {
    it(`reads ${JSON.stringify(q)} as URLSearchParams does`, () => {
      const want = new URLSearchParams(q);
      const got = parseConnectQuery(q);
      for (const key of ['encoding', 'message', 'base64', 'compression'] as const)
        expect(got[key]).toBe(want.get(key) ?? undefined);
    });
  }

  it('maps the encoding to a Connect unary wire', () => {
    expect(connectGetWire('json')?.codec).toBe('json');
    expect(connectGetWire('proto')?.codec).toBe('proto');
    expect(connectGetWire('xml')).toBeUndefined();
    expect(connectGetWire(undefined)).toBeUndefined();
  });
});
