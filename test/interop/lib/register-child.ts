// A kratos-ts process that registers one instance and then waits (until stdin closes), so a test
// can SIGKILL it and watch the instance expire like a crashed service's:
//   node --conditions=kratos-source register-child.ts <registry-url> <instance-json> <expiry-seconds>
import { openTsRegistry } from './backends.ts';

const [url = '', json = '', expiry = '0'] = process.argv.slice(2);
const registry = openTsRegistry(url, { logger: { log() {} }, expirySeconds: Number(expiry) });
await registry.register(JSON.parse(json));
process.stdout.write('registered\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await registry.close();
  process.exit(0);
});
