// A kratos-ts process that registers one instance and then waits (until stdin closes), so a test
// can SIGKILL it and watch the instance expire like a crashed service's:
//   node --conditions=kratos-source register-child.ts <registry-url> <instance-json> <expiry-seconds>
// Endpoints with port 0 get a TCP listener of this process on a free loopback port (so health
// checks that connect, as consul's do, pass while it lives and fail once it is killed); it prints
// `registered <instance-json>` with the ports it got.
import { createServer, type Server } from 'node:net';
import type { ServiceInstance } from '@kratos/core';
import { openTsRegistry } from './backends.ts';

const [url = '', json = '', expiry = '0'] = process.argv.slice(2);
const instance = JSON.parse(json) as ServiceInstance;
const listeners: Server[] = [];
const endpoints: string[] = [];
for (const e of instance.endpoints) {
  const u = new URL(e);
  if (u.port === '0') {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    listeners.push(server);
    const { port } = server.address() as { port: number };
    endpoints.push(e.replace(/:0(?=[/?]|$)/, `:${port}`));
  } else {
    endpoints.push(e);
  }
}
const registered = { ...instance, endpoints };
const registry = openTsRegistry(url, { logger: { log() {} }, expirySeconds: Number(expiry) });
await registry.register(registered);
process.stdout.write(`registered ${JSON.stringify(registered)}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await registry.close();
  for (const l of listeners) l.close();
  process.exit(0);
});
