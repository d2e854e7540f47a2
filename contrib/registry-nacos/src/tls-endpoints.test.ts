import { describe, expect, it } from 'vitest';
import { nacosInstancesOf } from './index.ts';

const settings = { weight: 100, cluster: 'DEFAULT', group: 'DEFAULT_GROUP' };

// Pure mapping of TLS endpoints; no Nacos server needed.
describe('nacos registry: TLS endpoints', () => {
  it('registers https://h:443 and grpcs:// endpoints under <name>.<scheme> with the written port', () => {
    const got = nacosInstancesOf(
      {
        id: 'a',
        name: 'helloworld',
        version: 'v1',
        metadata: {},
        endpoints: ['https://10.0.0.5:443?isSecure=true', 'grpcs://10.0.0.5:9443?isSecure=true'],
      },
      settings,
    );
    expect(got.map((i) => [i.serviceName, i.ip, i.port, i.metadata?.kind])).toEqual([
      ['helloworld.https', '10.0.0.5', 443, 'https'],
      ['helloworld.grpcs', '10.0.0.5', 9443, 'grpcs'],
    ]);
  });

  it('still needs a port', () => {
    expect(() =>
      nacosInstancesOf(
        { id: 'a', name: 'helloworld', version: 'v1', metadata: {}, endpoints: ['https://10.0.0.5'] },
        settings,
      ),
    ).toThrow(/has no port/);
  });
});
