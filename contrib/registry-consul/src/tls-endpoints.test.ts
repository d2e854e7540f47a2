import { describe, expect, it } from 'vitest';
import { serviceRegistrationJson } from './index.ts';

const settings = {
  healthCheck: true,
  heartbeat: false,
  healthCheckInterval: 10,
  deregisterCriticalServiceAfter: 600,
  serviceChecks: [],
  tags: [],
};

// Pure mapping of TLS endpoints; no Consul server needed.
describe('consul registry: TLS endpoints', () => {
  it('keeps a scheme-default port written in the endpoint (https://h:443), as Go url.Port() does', () => {
    const body = JSON.parse(
      serviceRegistrationJson(
        {
          id: 'a',
          name: 'helloworld',
          version: 'v1',
          metadata: {},
          endpoints: ['https://10.0.0.5:443?isSecure=true', 'grpcs://10.0.0.5:9443?isSecure=true'],
        },
        settings,
      ),
    ) as {
      Port: number;
      TaggedAddresses: Record<string, { Address: string; Port: number }>;
      Checks: { TCP?: string }[];
    };
    expect(body.TaggedAddresses).toEqual({
      https: { Address: 'https://10.0.0.5:443?isSecure=true', Port: 443 },
      grpcs: { Address: 'grpcs://10.0.0.5:9443?isSecure=true', Port: 9443 },
    });
    expect(body.Port).toBe(443);
    expect(body.Checks.map((c) => c.TCP)).toEqual(['10.0.0.5:443', '10.0.0.5:9443']);
  });
});
