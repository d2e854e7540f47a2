import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_PROTOCOLS, instanceFromPod, podMetadataOf, protocolMapOf } from './index.ts';

// Pure mapping of TLS endpoints; no API server needed.
describe('kubernetes registry: TLS endpoints', () => {
  it('records grpcs / https in the protocols annotation, default ports included', () => {
    expect(
      protocolMapOf(['https://10.0.0.5:8443?isSecure=true', 'grpcs://10.0.0.5:9443?isSecure=true']),
    ).toEqual({ '8443': 'https', '9443': 'grpcs' });
    // Go's url.Port() keeps a default port; the annotation key must not become ''.
    expect(protocolMapOf(['https://10.0.0.5:443', 'http://10.0.0.5:80'])).toEqual({
      '443': 'https',
      '80': 'http',
    });
    expect(
      podMetadataOf({
        id: 'a',
        name: 'svc',
        version: 'v1',
        metadata: {},
        endpoints: ['grpcs://10.0.0.5:9443?isSecure=true'],
      }).annotations[ANNOTATION_PROTOCOLS],
    ).toBe('{"9443":"grpcs"}');
  });

  it('discovers TLS ports with their TLS scheme, the suffix saying isSecure=true', () => {
    const pod: V1Pod = {
      metadata: {
        labels: { 'kratos-service-id': 'a', 'kratos-service-app': 'svc', 'kratos-service-version': 'v1' },
        annotations: { [ANNOTATION_PROTOCOLS]: '{"9443":"grpcs","8443":"https","9000":"grpc"}' },
      },
      spec: {
        containers: [
          { name: 'c', ports: [{ containerPort: 9443 }, { containerPort: 8443 }, { containerPort: 9000 }] },
        ],
      },
      status: { podIP: '10.0.0.5' },
    };
    expect(instanceFromPod(pod).endpoints).toEqual([
      'grpcs://10.0.0.5:9443',
      'https://10.0.0.5:8443',
      'grpc://10.0.0.5:9000',
    ]);
    expect(instanceFromPod(pod, '?isSecure=false').endpoints).toEqual([
      'grpcs://10.0.0.5:9443?isSecure=true',
      'https://10.0.0.5:8443?isSecure=true',
      'grpc://10.0.0.5:9000?isSecure=false',
    ]);
  });
});
