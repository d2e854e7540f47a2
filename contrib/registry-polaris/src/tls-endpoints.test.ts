import { describe, expect, it } from 'vitest';
import { instanceFromPolaris, polarisInstancesOf } from './index.ts';

const settings = { namespace: 'default', weight: 100, priority: 0, healthy: true, isolate: false, ttl: 0 };

// Pure mapping of TLS endpoints; no Polaris server needed.
describe('polaris registry: TLS endpoints', () => {
  it('registers grpcs:// and https:// endpoints under <name>grpcs / <name>https, as Go does', () => {
    const got = polarisInstancesOf(
      {
        id: 'a',
        name: 'helloworld',
        version: 'v1',
        metadata: {},
        endpoints: ['https://10.0.0.5:443?isSecure=true', 'grpcs://10.0.0.5:9443?isSecure=true'],
      },
      settings,
    );
    expect(got.map((i) => [i.service, i.host, i.port, i.metadata?.kind])).toEqual([
      ['helloworldhttps', '10.0.0.5', 443, 'https'],
      ['helloworldgrpcs', '10.0.0.5', 9443, 'grpcs'],
    ]);
  });

  it('reads a TLS instance back with its TLS scheme', () => {
    expect(
      instanceFromPolaris({ host: '10.0.0.5', port: 9443, metadata: { kind: 'grpcs' } }).endpoints,
    ).toEqual(['grpcs://10.0.0.5:9443']);
  });

  it('still needs a port', () => {
    expect(() =>
      polarisInstancesOf(
        { id: 'a', name: 'helloworld', version: 'v1', metadata: {}, endpoints: ['https://10.0.0.5'] },
        settings,
      ),
    ).toThrow(/needs a host and a port/);
  });
});
