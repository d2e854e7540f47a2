import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  advertisedHost,
  endpointPort,
  isEndpointer,
  isSecureEndpoint,
  joinHostPort,
  newEndpoint,
  parseEndpoint,
  splitEndpoint,
  splitHostPort,
} from '../transport.ts';

describe('endpoints', () => {
  it('newEndpoint prints Go Kratos endpoint URLs byte for byte', () => {
    expect(newEndpoint('http', '10.0.0.5:8000').toString()).toBe('http://10.0.0.5:8000?isSecure=false');
    expect(newEndpoint('grpc', '10.0.0.5:9000').toString()).toBe('grpc://10.0.0.5:9000?isSecure=false');
    expect(`${newEndpoint('http', '10.0.0.5:80')}`).toBe('http://10.0.0.5:80?isSecure=false');
    expect(JSON.stringify([newEndpoint('http', '[::1]:8000')])).toBe('["http://[::1]:8000?isSecure=false"]');
  });

  it('newEndpoint writes TLS endpoints with the TLS scheme, as Go Kratos since v2.3.1, and isSecure=true', () => {
    expect(String(newEndpoint('grpc', '10.0.0.5:9000', true))).toBe('grpcs://10.0.0.5:9000?isSecure=true');
    expect(String(newEndpoint('http', '10.0.0.5:8000', true))).toBe('https://10.0.0.5:8000?isSecure=true');
    // The default port stays, and no `/` path comes in, for https as for http.
    expect(String(newEndpoint('http', '10.0.0.5:443', true))).toBe('https://10.0.0.5:443?isSecure=true');
    expect(String(newEndpoint('grpcs', '10.0.0.5:9000', true))).toBe('grpcs://10.0.0.5:9000?isSecure=true');
    expect(String(newEndpoint('tcp', '10.0.0.5:7000', true))).toBe('tcps://10.0.0.5:7000?isSecure=true');
  });

  it('newEndpoint gives a real URL', () => {
    const u = newEndpoint('grpc', '10.0.0.5:9000');
    expect(u).toBeInstanceOf(URL);
    expect(u.protocol).toBe('grpc:');
    expect(u.host).toBe('10.0.0.5:9000');
    expect(u.searchParams.get('isSecure')).toBe('false');
    expect(isSecureEndpoint(u)).toBe(false);
    u.searchParams.set('isSecure', 'true');
    expect(u.toString()).toBe(u.href);
    expect(isSecureEndpoint(u)).toBe(true);
    const tls = newEndpoint('http', '10.0.0.5:8000', true);
    expect(tls.protocol).toBe('https:');
    expect(tls.host).toBe('10.0.0.5:8000');
    expect(isSecureEndpoint(tls)).toBe(true);
  });

  it('isSecureEndpoint takes the TLS schemes and the isSecure query', () => {
    expect(isSecureEndpoint('grpcs://h:1')).toBe(true);
    expect(isSecureEndpoint('https://h:1')).toBe(true);
    expect(isSecureEndpoint(new URL('grpcs://h:1'))).toBe(true);
    expect(isSecureEndpoint('grpcs://h:1?isSecure=true')).toBe(true);
    expect(isSecureEndpoint('grpc://h:1?isSecure=true')).toBe(true);
    expect(isSecureEndpoint('http://h:1?isSecure=true')).toBe(true);
    expect(isSecureEndpoint('grpc://h:1?isSecure=false')).toBe(false);
    expect(isSecureEndpoint('grpc://h:1')).toBe(false);
    expect(isSecureEndpoint('http://h:1')).toBe(false);
  });

  it('endpointPort reads the port as written, a scheme default included (Go url.Port())', () => {
    expect(endpointPort('https://10.0.0.5:443?isSecure=true')).toBe('443');
    expect(endpointPort('http://10.0.0.5:80')).toBe('80');
    expect(endpointPort('https://[::1]:443')).toBe('443');
    expect(endpointPort('grpcs://10.0.0.5:9443')).toBe('9443');
    expect(endpointPort('https://10.0.0.5')).toBe('');
    expect(endpointPort('https://10.0.0.5/a:1')).toBe('');
  });

  it('splitEndpoint splits as Go url.Parse + Hostname() + Port(), and rejects what is not a URL', () => {
    expect(splitEndpoint('grpcs://[::1]:9443?isSecure=true')).toEqual({
      scheme: 'grpcs',
      host: '::1',
      port: '9443',
    });
    expect(splitEndpoint('https://10.0.0.5:443')).toEqual({ scheme: 'https', host: '10.0.0.5', port: '443' });
    expect(splitEndpoint('http://10.0.0.5')).toEqual({ scheme: 'http', host: '10.0.0.5', port: '' });
    expect(() => splitEndpoint('10.0.0.5:9000 nope')).toThrow(TypeError);
  });

  it('parseEndpoint finds the first endpoint of a scheme (and security)', () => {
    const endpoints = [
      'not a url',
      'http://10.0.0.5:8000?isSecure=false',
      'grpc://10.0.0.5:9000?isSecure=false',
      'grpc://10.0.0.6:9443?isSecure=true',
    ];
    expect(parseEndpoint(endpoints, 'grpc')).toBe('10.0.0.5:9000');
    expect(parseEndpoint(endpoints, 'grpc', true)).toBe('10.0.0.6:9443');
    expect(parseEndpoint(endpoints, 'http')).toBe('10.0.0.5:8000');
    expect(parseEndpoint(endpoints, 'https')).toBeUndefined();
    expect(parseEndpoint([], 'http')).toBeUndefined();
    // Go keeps a default port in the URL; so does the address we dial.
    expect(parseEndpoint(['http://10.0.0.5:80?isSecure=false'], 'http')).toBe('10.0.0.5:80');
    expect(parseEndpoint(['http://[::1]:80'], 'http')).toBe('[::1]:80');
    expect(parseEndpoint(['http://10.0.0.5?isSecure=false'], 'http')).toBe('10.0.0.5:80');
  });

  it('parseEndpoint counts grpcs:// as gRPC and https:// as HTTP, secure in either form', () => {
    const goTls = ['https://10.0.0.7:8443', 'grpcs://10.0.0.7:9443'];
    const kratosTs = ['https://10.0.0.8:8443?isSecure=true', 'grpcs://10.0.0.8:9443?isSecure=true'];
    const older = ['http://10.0.0.9:8443?isSecure=true', 'grpc://10.0.0.9:9443?isSecure=true'];
    for (const [list, host] of [
      [goTls, '10.0.0.7'],
      [kratosTs, '10.0.0.8'],
      [older, '10.0.0.9'],
    ] as const) {
      expect(parseEndpoint(list, 'grpc', true)).toBe(`${host}:9443`);
      expect(parseEndpoint(list, 'http', true)).toBe(`${host}:8443`);
      expect(parseEndpoint(list, 'grpc')).toBe(`${host}:9443`);
      // Asking for the TLS scheme, as Go's resolvers do, asks for TLS endpoints.
      expect(parseEndpoint(list, 'grpcs')).toBe(`${host}:9443`);
      expect(parseEndpoint(list, 'https')).toBe(`${host}:8443`);
      expect(parseEndpoint(list, 'grpc', false)).toBeUndefined();
      expect(parseEndpoint(list, 'http', false)).toBeUndefined();
      expect(parseEndpoint(list, 'grpcs', false)).toBeUndefined();
    }
    const plain = ['http://10.0.0.5:8000', 'grpc://10.0.0.5:9000?isSecure=false'];
    expect(parseEndpoint(plain, 'grpc', false)).toBe('10.0.0.5:9000');
    expect(parseEndpoint(plain, 'http', false)).toBe('10.0.0.5:8000');
    expect(parseEndpoint(plain, 'grpc', true)).toBeUndefined();
    expect(parseEndpoint(plain, 'grpcs')).toBeUndefined();
    // The first endpoint of the transport wins; `secure` picks among them.
    const both = ['grpcs://10.0.0.7:9443', 'grpc://10.0.0.5:9000'];
    expect(parseEndpoint(both, 'grpc')).toBe('10.0.0.7:9443');
    expect(parseEndpoint(both, 'grpc', false)).toBe('10.0.0.5:9000');
    expect(parseEndpoint(both, 'grpc', true)).toBe('10.0.0.7:9443');
    // https:// keeps a default port the URL hides.
    expect(parseEndpoint(['https://10.0.0.7:443'], 'http', true)).toBe('10.0.0.7:443');
    expect(parseEndpoint(['https://10.0.0.7'], 'http', true)).toBe('10.0.0.7:443');
  });

  it('splitHostPort and joinHostPort handle IPv4, IPv6 and empty hosts', () => {
    expect(splitHostPort('0.0.0.0:8000')).toEqual({ host: '0.0.0.0', port: 8000 });
    expect(splitHostPort(':9000')).toEqual({ host: '', port: 9000 });
    expect(splitHostPort('[::]:0')).toEqual({ host: '::', port: 0 });
    expect(splitHostPort('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    expect(() => splitHostPort('localhost')).toThrow(/want host:port/);
    expect(() => splitHostPort('::1:80')).toThrow(/invalid address/);
    expect(() => splitHostPort('h:99999')).toThrow(/port out of range/);
    expect(() => splitHostPort('h:-1')).toThrow(/invalid address/);
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('::1', 80)).toBe('[::1]:80');
  });

  it('advertisedHost keeps a concrete host', () => {
    expect(advertisedHost('10.1.2.3')).toBe('10.1.2.3');
    expect(advertisedHost('127.0.0.1')).toBe('127.0.0.1');
    expect(advertisedHost('example.internal')).toBe('example.internal');
    expect(advertisedHost('[::1]')).toBe('[::1]');
  });

  it('a server bound to all interfaces advertises a non-loopback private address when there is one', () => {
    const v4 = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'))
      .map((a) => a.address);
    const isPrivate = (a: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a);
    for (const any of ['0.0.0.0', '::', '[::]', '']) {
      const host = advertisedHost(any);
      if (v4.length === 0) expect(host).toBe('127.0.0.1');
      else {
        expect(v4).toContain(host);
        if (v4.some(isPrivate)) expect(host).toBe(v4.find(isPrivate));
      }
    }
  });

  it('isEndpointer recognises servers with endpoint()', () => {
    expect(isEndpointer({ endpoint: () => newEndpoint('http', 'h:1') })).toBe(true);
    expect(isEndpointer({})).toBe(false);
    expect(isEndpointer(null)).toBe(false);
    expect(isEndpointer(undefined)).toBe(false);
  });
});
