// The listening socket: one port for HTTP/2 (TLS with ALPN, or cleartext h2c) and HTTP/1.1.
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  createSecureServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { RpcServerTlsOptions } from './types.ts';

export interface ListenerOptions {
  tls: RpcServerTlsOptions | undefined;
  http1: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS sent to every HTTP/2 peer. */
  maxConcurrentStreams: number;
  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void;
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onSession(session: Http2Session): void;
}

export interface Listener {
  /** The server that owns the port. */
  readonly server: NetServer;
  /** Every open socket, HTTP/1.1 and HTTP/2. */
  readonly sockets: Set<Socket>;
}

/**
 * With TLS, node:http2's `allowHTTP1` picks the protocol by ALPN. Cleartext has no ALPN, and
 * node:http2 then speaks only HTTP/2: the first bytes tell (every HTTP/2 connection opens with
 * the `PRI * HTTP/2.0` preface), and the socket goes to an HTTP/2 or an HTTP/1.1 server that
 * never listen themselves.
 */
export function createListener(options: ListenerOptions): Listener {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const settings = { enablePush: false, maxConcurrentStreams: options.maxConcurrentStreams };
  if (options.tls) {
    const tls = options.tls;
    const server = createSecureServer({
      allowHTTP1: options.http1,
      settings,
      key: tls.key,
      cert: tls.cert,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      requestCert: tls.requireClientCert ?? false,
      rejectUnauthorized: tls.requireClientCert ?? false,
    });
    // HTTP/1.1 requests arrive as 'request'; adding that listener also makes node:http2 wrap every
    // h2 stream in compatibility objects, which the HTTP/2 path does not use: its 'stream' listener
    // is taken off again.
    server.on('request', options.onRequest);
    server.removeAllListeners('stream');
    server.on('stream', options.onStream);
    server.on('session', options.onSession);
    server.on('secureConnection', track);
    return { server, sockets };
  }
  const h2 = createHttp2Server({ settings });
  h2.on('stream', options.onStream);
  h2.on('session', options.onSession);
  const h1 = options.http1 ? createHttp1Server(options.onRequest) : undefined;
  const server = createNetServer((socket) => {
    track(socket);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const http2 = first.length >= 3 && first.toString('latin1', 0, 3) === 'PRI';
      // node:http2 hands bytes already buffered on the socket to its session; the session then
      // reads the handle itself, so the socket must stay paused. HTTP/1.1 reads through 'data'.
      if (http2 || !h1) h2.emit('connection', socket);
      else {
        // What node:http's own server sets on the sockets it accepts (its `noDelay` default).
        socket.setNoDelay(true);
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  return { server, sockets };
}
