import { describe, expect, it } from 'vitest';
import { InvalidInstanceError, marshalServiceInstance, unmarshalServiceInstance } from '../adapter.ts';

describe('instance JSON', () => {
  it('writes Go field order, sorted metadata keys and endpoints', () => {
    const json = marshalServiceInstance({
      id: 'a1',
      name: 'helloworld',
      version: 'v1.0.0',
      metadata: { zone: 'z1', '10': 'x', '2': 'y', app: 'a' },
      endpoints: ['http://10.0.0.5:8000?isSecure=false', 'grpc://10.0.0.5:9000?isSecure=false'],
    });
    expect(json).toBe(
      '{"id":"a1","name":"helloworld","version":"v1.0.0","metadata":{"10":"x","2":"y","app":"a","zone":"z1"},' +
        '"endpoints":["http://10.0.0.5:8000?isSecure=false","grpc://10.0.0.5:9000?isSecure=false"]}',
    );
  });

  it('writes empty metadata as null (Go nil map) and escapes like Go', () => {
    expect(marshalServiceInstance({ id: 'a', name: 'n', version: '', metadata: {}, endpoints: [] })).toBe(
      '{"id":"a","name":"n","version":"","metadata":null,"endpoints":[]}',
    );
    expect(
      marshalServiceInstance({
        id: 'a',
        name: 'n',
        version: '<&>',
        metadata: { k: 'v\u2028' },
        endpoints: [],
      }),
    ).toBe(
      '{"id":"a","name":"n","version":"\\u003c\\u0026\\u003e","metadata":{"k":"v\\u2028"},"endpoints":[]}',
    );
  });

  it('round-trips, from strings and bytes', () => {
    const instance = {
      id: 'a1',
      name: 'helloworld',
      version: 'v1',
      metadata: { k: '<v>' },
      endpoints: ['grpc://h:1?isSecure=false'],
    };
    const json = marshalServiceInstance(instance);
    expect(unmarshalServiceInstance(json)).toEqual(instance);
    expect(unmarshalServiceInstance(new TextEncoder().encode(json))).toEqual(instance);
  });

  it('reads what Go writes: null metadata, missing version and endpoints', () => {
    expect(unmarshalServiceInstance('{"id":"x","name":"svc","metadata":null}')).toEqual({
      id: 'x',
      name: 'svc',
      version: '',
      metadata: {},
      endpoints: [],
    });
    expect(unmarshalServiceInstance('{"id":"x","name":"svc","metadata":{"n":1}}').metadata).toEqual({
      n: '1',
    });
  });

  it('refuses records that are not instances with a clear error', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[1]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['{"name":"svc"}', /missing "id"/],
      ['{"id":"x"}', /missing "name"/],
      ['{"id":"x","name":"svc","endpoints":"grpc://h:1"}', /endpoints/],
      ['{"id":"x","name":"svc","endpoints":[1]}', /endpoints/],
      ['{"id":"x","name":"svc","metadata":[]}', /metadata/],
    ];
    for (const [text, message] of bad) {
      const call = () => unmarshalServiceInstance(text);
      expect(call).toThrow(InvalidInstanceError);
      expect(call).toThrow(message);
    }
    try {
      unmarshalServiceInstance('x');
    } catch (e) {
      expect((e as Error).name).toBe('InvalidInstanceError');
    }
  });
});
