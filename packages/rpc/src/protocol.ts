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
    const key = queryKey(query, at, eq);
    if (key !== undefined && q[key] === undefined)
      q[key] = eq === end ? '' : formDecode(query.slice(eq + 1, end));
    at = end + 1;
  }
  return q;
}

/** The parameters a Connect GET's query carries that the server reads. */
const QUERY_NAMES = ['message', 'encoding', 'base64', 'compression'] as const;

/** The parameter `query[from, to)` names, if the server reads it; compared before it is decoded. */
function queryKey(query: string, from: number, to: number): keyof ConnectGetQuery | undefined {
  const length = to - from;
  for (const name of QUERY_NAMES) if (name.length === length && query.startsWith(name, from)) return name;
  // An escaped name (`%6Dessage`): rare, decoded, then compared.
  const raw = query.slice(from, to);
  if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) return undefined;
  const key = formDecode(raw);
  return QUERY_NAMES.find((name) => name === key);
}

function formDecode(text: string): string {
  if (text.indexOf('+') >= 0) text = text.replaceAll('+', ' ');
  if (text.indexOf('%') < 0) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape: querystring.unescape decodes byte by byte, keeping it as it is.
    return percentDecode(text);
  }
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
