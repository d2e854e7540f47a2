import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP port that is free now on `host` (default `127.0.0.1`): binds port 0, reads the port the
 * kernel chose, closes. Another process may take it before you bind it; prefer binding port 0
 * yourself when the code under test allows it.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** A loopback TCP forwarder whose link can be cut, to make a real network partition in a test. */
export interface TcpProxy {
  /** `127.0.0.1:<port>`: what the client under test connects to. */
  readonly address: string;
  readonly port: number;
  /** Connections forwarded so far (accepted while the link was up). */
  readonly forwarded: number;
  /**
   * Cuts the link: open connections are reset and new ones are reset as soon as they arrive, until
   * {@link restore}. The server sees the client go silent, as in a partition.
   */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a {@link TcpProxy} on a free loopback port in front of `target` (`host:port`). Bytes are
 * piped unchanged both ways; closing either side closes the other.
 */
export function startTcpProxy(target: string): Promise<TcpProxy> {
  const sep = target.lastIndexOf(':');
  const host = target.slice(0, sep);
  const port = Number(target.slice(sep + 1));
  if (sep <= 0 || !Number.isInteger(port) || port <= 0) {
    return Promise.reject(new Error(`startTcpProxy: target must be host:port, got "${target}"`));
  }
  const open = new Set<Socket>();
  let up = true;
  let forwarded = 0;
  const server = createServer((inbound) => {
    if (!up) {
      inbound.resetAndDestroy();
      return;
    }
    forwarded++;
    const outbound = connect({ host, port });
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      // A reset on one side is passed on as a reset on the other; nothing to report.
      s.on('error', () => {});
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  const resetAll = () => {
    for (const s of open) s.resetAndDestroy();
    open.clear();
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = server.address();
      const listenPort = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        address: `127.0.0.1:${listenPort}`,
        port: listenPort,
        get forwarded() {
          return forwarded;
        },
        cut() {
          up = false;
          resetAll();
        },
        restore() {
          up = true;
        },
        close: () =>
          new Promise<void>((done) => {
            up = false;
            resetAll();
            server.close(() => done());
          }),
      });
    });
  });
}
