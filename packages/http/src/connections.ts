import type { Server } from 'node:http';
import type { Socket } from 'node:net';

// net.Server's own close: stops accepting connections and nothing more. http.Server's close
// (Node >= 19) also closes every idle keep-alive connection at once, which a client that is about
// to reuse one sees as a reset ("other side closed"); the drain closes them after a grace instead.
const closeListener: (this: Server) => void = process.getBuiltinModule('node:net').Server.prototype.close;

/**
 * The open connections of one HTTP server, for a drain that kept-alive clients survive: stop
 * accepting, let idle connections bring a last request (answered with `Connection: close`) for a
 * grace, then close what is idle and wait for the requests in flight.
 */
export class Connections {
  readonly #sockets = new Set<Socket>();
  #onEmpty: (() => void) | undefined;

  /** Tracks a newly accepted connection until it closes. */
  add(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      if (this.#sockets.size === 0) this.#onEmpty?.();
    });
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** Closes the listening socket only; open connections go on being served. */
  stopAccepting(server: Server): void {
    if (server.listening) closeListener.call(server);
  }

  /** Resolves once every connection has closed, or after `grace` ms, or when `signal` aborts. */
  settle(grace: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#sockets.size === 0 || grace <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#onEmpty = undefined;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, grace);
      this.#onEmpty = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Destroys connections that never sent a byte (preconnected by clients): Node's
   * closeIdleConnections does not count them as idle and would leave them open.
   */
  destroyUnused(): void {
    for (const socket of this.#sockets) if (socket.bytesRead === 0) socket.destroy();
  }

  /** Destroys every connection (the stop signal fired). */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}
