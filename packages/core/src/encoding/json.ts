import type { Codec } from './codec.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON, UTF-8. `unmarshal` of empty input gives `{}` (an empty body is an empty message). */
export const jsonCodec: Codec = {
  name: 'json',
  contentType: 'application/json',
  marshal(value) {
    return encoder.encode(JSON.stringify(value) ?? 'null');
  },
  unmarshal(data) {
    if (data.length === 0) return {};
    return JSON.parse(decoder.decode(data));
  },
};
