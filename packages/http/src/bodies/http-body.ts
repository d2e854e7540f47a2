// google.api.HttpBody: a message that stands for a raw HTTP body (bytes and their Content-Type),
// as grpc-gateway and Kratos' generated code treat it. Detected from the schema at registration:
// a request or reply of that type (or a `body` / `response_body` field of it) skips the codecs.
import { create, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';

export const HTTP_BODY_TYPE = 'google.api.HttpBody';

/** True when the message is a google.api.HttpBody. */
export function isHttpBody(schema: DescMessage | undefined): schema is DescMessage {
  return schema?.typeName === HTTP_BODY_TYPE;
}

/** True when a field holds a google.api.HttpBody. */
export function isHttpBodyField(field: DescField | undefined): boolean {
  return field?.fieldKind === 'message' && isHttpBody(field.message);
}

/** An HttpBody message from raw bytes and their Content-Type. */
export function httpBodyMessage(
  schema: DescMessage,
  contentType: string | undefined,
  data: Uint8Array,
): Message {
  return create(schema, { contentType: contentType ?? '', data } as never);
}

/** The raw content of an HttpBody (a message or an init object). */
export function httpBodyContent(v: unknown): { contentType: string; data: Uint8Array } {
  const o = (v ?? {}) as { contentType?: unknown; data?: unknown };
  const contentType =
    typeof o.contentType === 'string' && o.contentType !== '' ? o.contentType : 'application/octet-stream';
  const data = o.data instanceof Uint8Array ? o.data : new Uint8Array(0);
  return { contentType, data };
}
