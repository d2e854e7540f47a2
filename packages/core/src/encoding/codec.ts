/**
 * Turns values into bytes and back. Codecs other than protobuf's work on JSON-shaped values:
 * transports convert protobuf messages through the protobuf JSON mapping before marshalling.
 */
export interface Codec {
  /** Short name: `json`, `proto`, `yaml`, `xml`, `form`, `msgpack`. */
  readonly name: string;
  /** The media type it writes, e.g. `application/json`. */
  readonly contentType: string;
  marshal(value: unknown): Uint8Array;
  /** Throws on malformed input; transports turn that into 400 `CODEC`. */
  unmarshal(data: Uint8Array): unknown;
}

/**
 * What core knows of a protobuf message descriptor, without depending on a protobuf library:
 * protobuf-es' `DescMessage` is one.
 */
export interface MessageSchema {
  readonly kind: 'message';
  /** Fully qualified message name, e.g. `helloworld.v1.HelloRequest`. */
  readonly typeName: string;
}

/**
 * A codec that encodes protobuf messages natively (binary protobuf) rather than through their
 * JSON form. `schema` is the message's descriptor; `Schema` narrows it for an implementation
 * (`MessageCodec<DescMessage>` for protobuf-es). Messages are the library's message objects or
 * plain init objects of the schema.
 */
export interface MessageCodec<Schema extends MessageSchema = MessageSchema> extends Codec {
  marshalMessage(schema: Schema, message: unknown): Uint8Array;
  unmarshalMessage(schema: Schema, data: Uint8Array): unknown;
}

/** True for a {@link MessageCodec}. */
export function isMessageCodec(codec: Codec): codec is MessageCodec {
  return typeof (codec as Partial<MessageCodec>).marshalMessage === 'function';
}
