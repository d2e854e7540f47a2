import { createServer } from 'node:net';

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
