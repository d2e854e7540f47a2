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
 * A codec that encodes protobuf messages natively (binary protobuf) rather than through their
 * JSON form. `schema` is the message's descriptor (a protobuf-es `DescMessage`).
 */
export interface MessageCodec extends Codec {
  marshalMessage(schema: unknown, message: unknown): Uint8Array;
  unmarshalMessage(schema: unknown, data: Uint8Array): unknown;
}

/** True for a {@link MessageCodec}. */
export function isMessageCodec(codec: Codec): codec is MessageCodec {
  return typeof (codec as Partial<MessageCodec>).marshalMessage === 'function';
}
