// A tiny service for the signal tests in app.test.ts, run as a child process:
//   node --conditions=kratos-source signal-app.ts <graceful|hang>
// It listens on 127.0.0.1:0, prints `ready` once running and one line per stop hook. In `hang`
// mode its server never finishes a graceful stop, so only a second signal ends the process.
import { createServer } from 'node:net';
import { createApp, createMemoryRegistry, type Server } from '../../index.ts';
import { type Endpointer, newEndpoint } from '../../transport.ts';

const mode = process.argv[2] ?? 'graceful';

const tcp = createServer((socket) => socket.end());
const server: Server & Endpointer = {
  start: () =>
    new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve());
    }),
  stop: ({ signal } = {}) =>
    new Promise<void>((resolve) => {
      if (mode === 'hang') return; // ignores even the force signal: the process must be forced out
      signal?.addEventListener('abort', () => resolve(), { once: true });
      tcp.close(() => resolve());
    }),
  endpoint() {
    const address = tcp.address();
    return newEndpoint('tcp', `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  },
};

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const app = createApp({
  name: 'signal-app',
  servers: [server],
  registrar: createMemoryRegistry(),
  signals: ['SIGTERM', 'SIGINT'],
  stopTimeout: 60_000,
  afterStart: () => say('ready'),
  beforeStop: () => say('before-stop'),
  afterStop: () => say('after-stop'),
});

await app.run();
say('run resolved');
