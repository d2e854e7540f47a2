// An HTTP server in its own process, for tests that kill it (client failover tests).
// Usage: node --conditions=kratos-source hello-process.ts <id> [port]
// Prints `port <n>` once listening; each hello route writes `got <name>` to stdout (synchronously,
// so a parent that killed the process knows which requests reached it), waits 1 ms, and answers
// `Hello <name> from <id>`.
import { writeSync } from 'node:fs';
import type { Context } from '@kratos/core';
import { createHttpServer } from '../index.ts';
import { helloRoutes } from './hello-routes.ts';

const [id = 'a', port = '0'] = process.argv.slice(2);
const server = createHttpServer({ address: `127.0.0.1:${port}`, logger: { log() {} } });
const hello = async (_ctx: Context, req: { name: string }) => {
  writeSync(1, `got ${req.name}\n`);
  await new Promise((r) => setTimeout(r, 1));
  return { message: `Hello ${req.name} from ${id}` };
};
server.route(helloRoutes.get, hello);
server.route(helloRoutes.post, hello);
await server.start();
writeSync(1, `port ${server.address()!.port}\n`);
