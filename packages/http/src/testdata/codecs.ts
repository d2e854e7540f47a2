import { type DescMessage, fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import type { Codec } from '@kratos/core';
import type { MessageCodec } from '@kratos/core/adapter';

/** A binary MessageCodec (protobuf wire format), as @kratos/encoding's proto codec. */
export const protoCodec: MessageCodec = {
  name: 'proto',
  contentType: 'application/x-protobuf',
  marshal: () => {
    throw new Error('proto codec needs a schema');
  },
  unmarshal: () => {
    throw new Error('proto codec needs a schema');
  },
  marshalMessage: (schema, message) => toBinary(schema as DescMessage, message as Message),
  unmarshalMessage: (schema, data) => fromBinary(schema as DescMessage, data),
};

/** A JSON-shaped codec other than json (stands in for yaml/xml): JSON behind a marker line. */
export const markedCodec: Codec = {
  name: 'marked',
  contentType: 'application/x-marked',
  marshal: (v) => new TextEncoder().encode(`#marked\n${JSON.stringify(v)}`),
  unmarshal: (d) => {
    const text = new TextDecoder().decode(d);
    if (!text.startsWith('#marked\n')) throw new Error('missing marker');
    return JSON.parse(text.slice(8));
  },
};
