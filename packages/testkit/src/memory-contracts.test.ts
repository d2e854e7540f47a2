import { createMemoryRegistry, createMemorySource, formatFromKey, jsonCodec } from '@kratos/core';
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
