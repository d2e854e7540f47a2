import { createMemoryRegistry, createMemorySource, jsonCodec } from '@kratos/core';
import { formatFromKey, type MessageCodec } from '@kratos/core/adapter';
import { describeCodecContract, describeConfigSourceContract, describeRegistryContract } from './index.ts';

describeRegistryContract('memory registry', () => createMemoryRegistry(), {
  watch: true,
  sharedWatch: true,
  metadata: true,
  propagationDelayMs: 0,
  openWatches: (r) => r.activeWatches,
});

describeConfigSourceContract('memory source', ({ initial }) => {
  const source = createMemorySource(
    initial.map((d) => ({
      key: d.name,
      value: new TextEncoder().encode(d.value),
      format: formatFromKey(d.name),
    })),
  );
  return { source, set: (name, value) => source.set(name, value), delete: (name) => source.delete(name) };
});

describeCodecContract(jsonCodec, {
  name: 'json',
  contentType: 'application/json',
  empty: {},
  invalid: ['{', '{"a":', 'not json', '{"a":1}}', new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), '\u0000'],
});

// A toy MessageCodec (JSON of the message, tagged by the schema's type name) to exercise the
// messageSamples cases; real ones (proto) run the same suite with protobuf-es schemas.
const pointSchema = { kind: 'message', typeName: 'kt.Point' } as const;
const taggedCodec: MessageCodec = {
  ...jsonCodec,
  name: 'tagged',
  contentType: 'application/x-tagged',
  marshalMessage(schema, message) {
    return jsonCodec.marshal({ type: schema.typeName, message });
  },
  unmarshalMessage(schema, data) {
    const v = jsonCodec.unmarshal(data) as { type: string; message: unknown };
    if (v.type !== schema.typeName) throw new Error(`not a ${v.type}`);
    return v.message;
  },
};
describeCodecContract(taggedCodec, {
  invalid: ['{'],
  messageSamples: [{ schema: pointSchema, message: { x: 1, y: -2 } }],
});
