// Per-call overhead of the client designs, against two bare grpc-js servers in child processes:
//   bare       one grpc-js Client, makeUnaryRequest (the floor)
//   bare-dl    the same with a 2 s deadline per call (what every kratos call carries by default)
//   grpc-lb    one grpc-js channel over both addresses with grpc-js' own round_robin policy
//              (the resolver/load-balancer extension route does at least this much per call)
//   kratos-1   @kratos/grpc client, direct target with one node (context + p2c selector + channel per node)
//   kratos-2   @kratos/grpc client, direct target with both nodes
//   kratos-mw  kratos-1 plus 5 pass-through middleware
// Usage: node --conditions=kratos-source bench/grpc-client/bench.ts [rounds] [calls] [concurrency] [variant,variant]
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import type { Middleware } from '../../packages/core/src/index.ts';
import { createGrpcClient } from '../../packages/grpc/src/index.ts';
import { GreeterService, helloRequest } from '../../packages/grpc/src/testdata/greeter.ts';

const grpc = createRequire(new URL('../../packages/grpc/package.json', import.meta.url))(
  '@grpc/grpc-js',
) as typeof Grpc;
const rounds = Number(process.argv[2] ?? 3);
const calls = Number(process.argv[3] ?? 20000);
const concurrency = Number(process.argv[4] ?? 50);

const serverScript = new URL('../grpc-server/server.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
async function startServer(cpu: number): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const child = spawn(
    'taskset',
    ['-c', String(cpu), process.execPath, '--conditions=kratos-source', serverScript, 'bare', String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return port;
}
process.on('exit', () => {
  for (const c of children) c.kill();
});

const [p1, p2] = [await startServer(0), await startServer(0)];
const req = helloRequest({ name: 'bench' });
const m = GreeterService.SayHello;

type Call = () => Promise<unknown>;
/** Calls/s and the client's own CPU µs per call (the servers run in other processes). */
async function drive(call: Call): Promise<[number, number]> {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < calls) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return [calls / (Number(process.hrtime.bigint() - start) / 1e9), (used.user + used.system) / calls];
}

const bareClient = new grpc.Client(`127.0.0.1:${p1}`, grpc.credentials.createInsecure());
const bare: Call = () =>
  new Promise((resolve, reject) =>
    bareClient.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      req,
      new grpc.Metadata(),
      {},
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
const bareDeadline: Call = () =>
  new Promise((resolve, reject) =>
    bareClient.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      req,
      new grpc.Metadata(),
      { deadline: Date.now() + 2000 },
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
const lbClient = new grpc.Client(`ipv4:127.0.0.1:${p1},127.0.0.1:${p2}`, grpc.credentials.createInsecure(), {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
});
const lb: Call = () =>
  new Promise((resolve, reject) =>
    lbClient.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      req,
      new grpc.Metadata(),
      {},
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
const silent = { log() {} };
const k1 = createGrpcClient({ endpoint: `direct:///127.0.0.1:${p1}`, logger: silent });
const k2 = createGrpcClient({ endpoint: `direct:///127.0.0.1:${p1},127.0.0.1:${p2}`, logger: silent });
const pass: Middleware = (next) => async (ctx, r) => next(ctx, r);
const kmw = createGrpcClient({
  endpoint: `direct:///127.0.0.1:${p1}`,
  logger: silent,
  middleware: [pass, pass, pass, pass, pass],
});

const only = process.argv[5]?.split(',');
const allVariants: Array<[string, Call]> = [
  ['bare', bare],
  ['bare-dl', bareDeadline],
  ['grpc-lb', lb],
  ['kratos-1', () => k1.unary(m, req)],
  ['kratos-2', () => k2.unary(m, req)],
  ['kratos-mw', () => kmw.unary(m, req)],
];
const variants = only ? allVariants.filter(([n]) => only.includes(n)) : allVariants;
for (const [, call] of variants) for (let i = 0; i < 2000; i++) await call(); // warm-up + connect
const totals = new Map<string, Array<[number, number]>>();
for (let r = 0; r < rounds; r++) {
  for (const [name, call] of variants) totals.set(name, [...(totals.get(name) ?? []), await drive(call)]);
}
const baseList = totals.get('bare') ?? [...totals.values()][0]!;
const [baseRps, baseCpu] = [median(baseList.map((x) => x[0])), median(baseList.map((x) => x[1]))];
for (const [name, list] of totals) {
  const rps = median(list.map((x) => x[0]));
  const cpu = median(list.map((x) => x[1]));
  console.log(
    `${name.padEnd(10)} ${rps.toFixed(0).padStart(7)} calls/s x${(rps / baseRps).toFixed(2)}   client CPU ${cpu.toFixed(1).padStart(5)} µs/call x${(cpu / baseCpu).toFixed(2)}`,
  );
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
bareClient.close();
lbClient.close();
await Promise.all([k1.close(), k2.close(), kmw.close()]);
process.exit(0);
