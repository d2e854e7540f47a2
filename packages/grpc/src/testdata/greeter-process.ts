// A Greeter server in its own process, for tests that kill it (client failover tests).
// Usage: node --conditions=kratos-source greeter-process.ts <id> [port]
// Prints `port <n>` once listening; SayHello writes `got <name>` to stdout (synchronously, so a
// parent that killed the process knows which calls reached it), waits `delayMs`, and answers
// `Hello <name> from <id>`.
import { writeSync } from 'node:fs';
import type { Context } from '@kratos/core';
import { createGrpcServer } from '../server.ts';
import { file_helloworld_v1_greeter, GreeterService, type HelloRequest, helloReply } from './greeter.ts';

const [id = 'a', port = '0'] = process.argv.slice(2);
const server = createGrpcServer({ address: `127.0.0.1:${port}`, logger: { log() {} } });
server.registerService(
  GreeterService,
  {
    SayHello: async (_ctx: Context, req: HelloRequest) => {
      writeSync(1, `got ${req.name}\n`);
      if (req.delayMs > 0) await new Promise((r) => setTimeout(r, req.delayMs));
      return helloReply({ message: `Hello ${req.name} from ${id}` });
    },
  },
  { file: file_helloworld_v1_greeter },
);
await server.start();
writeSync(1, `port ${server.port}\n`);
