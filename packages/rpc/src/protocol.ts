// Which protocol a request speaks, told from its method and Content-Type.
import type { OutgoingHttpHeaders } from 'node:http';
import { unescape as percentDecode } from 'node:querystring';

/** The wire protocol of one call. */
export type Protocol = 'grpc' | 'grpc-web' | 'grpc-web-text' | 'connect' | 'connect-stream';
/** The message codec of one call. */
export type CodecName = 'proto' | 'json';

export interface Wire {
  protocol: Protocol;
  codec: CodecName;
  /** The Content-Type of the reply. */
  contentType: string;
  /**
   * gRPC only: the reply header of an identity reply without metadata or CORS, the same frozen
   * object for every such call (node:http2 reads it and never writes to it).
   */
  plainHeaders: Readonly<OutgoingHttpHeaders> | undefined;
}

const WIRES = new Map<string, Wire>();
const add = (contentType: string, protocol: Protocol, codec: CodecName, reply = contentType) =>
  WIRES.set(contentType, {
    protocol,
    codec,
    contentType: reply,
    plainHeaders:
      protocol === 'grpc'
        ? Object.freeze({ ':status': 200, 'content-type': reply, 'grpc-accept-encoding': 'gzip' })
        : undefined,
  });
add('application/grpc', 'grpc', 'proto');
add('application/grpc+proto', 'grpc', 'proto');
add('application/grpc+json', 'grpc', 'json');
add('application/grpc-web', 'grpc-web', 'proto', 'application/grpc-web+proto');
add('application/grpc-web+proto', 'grpc-web', 'proto');
add('application/grpc-web+json', 'grpc-web', 'json');
add('application/grpc-web-text', 'grpc-web-text', 'proto', 'application/grpc-web-text+proto');
add('application/grpc-web-text+proto', 'grpc-web-text', 'proto');
add('application/connect+proto', 'connect-stream', 'proto');
add('application/connect+json', 'connect-stream', 'json');
add('application/proto', 'connect', 'proto');
add('application/json', 'connect', 'json');

/** The wire of a POST with this Content-Type (parameters such as `charset` ignored), if known. */
export function wireOf(contentType: string | undefined): Wire | undefined {
  if (contentType === undefined) return undefined;
  const exact = WIRES.get(contentType);
  if (exact) return exact;
  const semi = contentType.indexOf(';');
  const bare = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return WIRES.get(bare);
}

/** The parameters of a Connect GET's query that the server reads (the first of each counts). */
export interface ConnectGetQuery {
  encoding: string | undefined;
  message: string | undefined;
  base64: string | undefined;
  compression: string | undefined;
}

/**
 * Reads a Connect GET's query as `URLSearchParams` would (form encoding: `+` is a space, `%XX` an
 * escaped byte, a malformed escape kept as it is), once per call and at a fraction of its cost: a
 * `URLSearchParams` is a transferable object, and building one was ~2 µs of a GET under load.
 */
export function parseConnectQuery(query: string): ConnectGetQuery {
  const q: ConnectGetQuery = {
    encoding: undefined,
    message: undefined,
    base64: undefined,
    compression: undefined,
  };
  let at = 0;
  while (at <= query.length) {
    let end = query.indexOf('&', at);
    if (end < 0) end = query.length;
    let eq = query.indexOf('=', at);
    if (eq < 0 || eq > end) eq = end;
    const key = formDecode(query.slice(at, eq));
    if (
      (key === 'encoding' || key === 'message' || key === 'base64' || key === 'compression') &&
      q[key] === undefined
    )
      q[key] = eq === end ? '' : formDecode(query.slice(eq + 1, end));
    at = end + 1;
  }
  return q;
}

function formDecode(text: string): string {
  if (text.indexOf('+') >= 0) text = text.replaceAll('+', ' ');
  // querystring.unescape: decodeURIComponent, or byte by byte when an escape is malformed.
  return text.indexOf('%') >= 0 ? percentDecode(text) : text;
}

/** The wire of a Connect GET (`?encoding=proto|json`). */
export function connectGetWire(encoding: string | undefined): Wire | undefined {
  if (encoding === 'proto') return WIRES.get('application/proto');
  if (encoding === 'json') return WIRES.get('application/json');
  return undefined;
}

/** True for protocols whose every message is framed (all but Connect unary). */
export function isEnveloped(protocol: Protocol): boolean {
  return protocol !== 'connect';
}
