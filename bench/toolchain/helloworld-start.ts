import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summary } from './stats.ts';

const main = resolve(import.meta.dirname, '../../examples/helloworld/cmd/helloworld/main.ts');
const runs = Number(process.env.RUNS ?? 7);

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });

const samples: number[] = [];
for (let i = 0; i < runs; i++) {
  const [h, g] = [await freePort(), await freePort()];
  const conf = mkdtempSync(join(tmpdir(), 'hw-bench-'));
  writeFileSync(
    join(conf, 'config.yaml'),
    `server:\n  http:\n    addr: 127.0.0.1:${h}\n  grpc:\n    addr: 127.0.0.1:${g}\n`,
  );
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--conditions=kratos-source', main, '-conf', conf], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  await new Promise<void>((res) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('[HTTP] server listening') && out.includes('[gRPC] server listening')) res();
    });
  });
  samples.push(performance.now() - t0);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}
console.log(summary('helloworld: process start -> HTTP and gRPC listening', samples, 1000));
