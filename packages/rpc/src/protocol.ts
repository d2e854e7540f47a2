// Which protocol a request speaks, told from its method and Content-Type.
import type { OutgoingHttpHeaders } from 'node:http';

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

/** The wire of a Connect GET (`?encoding=proto|json`). */
export function connectGetWire(encoding: string | null): Wire | undefined {
  if (encoding === 'proto') return WIRES.get('application/proto');
  if (encoding === 'json') return WIRES.get('application/json');
  return undefined;
}

/** True for protocols whose every message is framed (all but Connect unary). */
export function isEnveloped(protocol: Protocol): boolean {
  return protocol !== 'connect';
}
