// The server under test: one route, `ping.v1.Pinger/Ping` over @kratos/http (`GET /v1/ping/{name}`),
// @kratos/grpc (grpc-js) or @kratos/rpc (gRPC on node:http2), whose handler burns CPU
// synchronously (BURN_MS per call, a busy loop like a template render or a JSON transform), behind
// rateLimit() or behind nothing.
// Modes: none (no limiter); bbr (createBbrLimiter() defaults: elu signal + event-loop turn guard;
// env TURN_BUDGET overrides turnBudget);
// go (turnBudget 0: Go Kratos' rule alone); before (the limiter before the turn guard,
// baseline-bbr.ts); cpu (bbr on the cpu signal); shed (rejects every call: the cost of a shed);
// early (bbr as the server's `limiter` option: early admission instead of the middleware);
// early-shed (rejects every call at the early admission point); early-every (admits every EVERY-th
// call there, whatever the load).
// Run: taskset -c 0 node --conditions=kratos-source bench/ratelimit/server.ts <http|grpc|rpc> <mode> <port>
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { createGrpcServer } from '../../packages/grpc/src/index.ts';
import { createHttpServer } from '../../packages/http/src/index.ts';
import {
  createBbrLimiter,
  type Limiter,
  loadSnapshot,
  rateLimit,
} from '../../packages/middleware/src/index.ts';
import { createRpcServer } from '../../packages/rpc/src/index.ts';
import { PingerService, pingReply, pingRoute } from '../../packages/testkit/src/ping.ts';
import { createBeforeLimiter } from './baseline-bbr.ts';

const transport = process.argv[2] ?? 'http';
const mode = process.argv[3] ?? 'none';
const port = Number(process.argv[4] ?? 8000);
const burnMs = Number(process.env.BURN_MS ?? 2);

const limiters: Record<string, () => (Limiter & { stat(): object }) | undefined> = {
  none: () => undefined,
  bbr: () => createBbrLimiter(process.env.TURN_BUDGET ? { turnBudget: Number(process.env.TURN_BUDGET) } : {}),
  go: () => createBbrLimiter({ turnBudget: 0 }),
  before: () => createBeforeLimiter(),
  cpu: () => createBbrLimiter({ signal: 'cpu' }),
  // Sheds every call: its closed-loop rate is what a shed call costs.
  shed: () => ({ allow: () => undefined, stat: () => ({}) }),
  // The same bbr limiter as the server's `limiter` option: early admission, before routing and
  // body reading (HTTP) or once the message is read, before decoding (gRPC), not in the chain.
  early: () =>
    createBbrLimiter(process.env.TURN_BUDGET ? { turnBudget: Number(process.env.TURN_BUDGET) } : {}),
  // Sheds every call at the early admission point: what an early shed costs.
  'early-shed': () => ({ allow: () => undefined, stat: () => ({}) }),
  // Admits every EVERY-th call (default 3) at the early admission point, whatever the load: with
  // mode none's cost per call, what a shed costs in a loop that also runs handlers.
  'early-every': () => {
    const every = Number(process.env.EVERY ?? 3);
    let n = 0;
    return { allow: () => (n++ % every === 0 ? () => {} : undefined), stat: () => ({}) };
  },
};
const early = mode.startsWith('early');
const make = limiters[mode];
if (!make) {
  console.error(`server: unknown mode ${mode} (${Object.keys(limiters).join(', ')})`);
  process.exit(2);
}
const inner = make();
// Counts calls, admissions and event-loop turns with calls, for the stat lines (one second each;
// cpuMs is the process's CPU time when the second began).
const zero = () => ({
  calls: 0,
  admitted: 0,
  turns: 0,
  spinMs: 0,
  spinCpuMs: 0,
  spins: 0,
  // The fastest call of the second: against the mean, whether every call got slower (the core) or
  // some were interrupted (the process's own work run inside them, e.g. a GC the engine requested).
  spinMinMs: Number.POSITIVE_INFINITY,
  // The longest turn with calls (from its first call to its end), the most calls one turn
  // admitted, and the longest garbage collection: what a tail latency spike came from.
  maxTurnMs: 0,
  maxTurnAdmitted: 0,
  gcMaxMs: 0,
});
const counts = { ...zero(), cpuMs: 0 };
let turnOpen = false;
let turnStart = 0;
let turnAdmitted = 0;
const endTurn = () => {
  turnOpen = false;
  counts.maxTurnMs = Math.max(counts.maxTurnMs, performance.now() - turnStart);
  counts.maxTurnAdmitted = Math.max(counts.maxTurnAdmitted, turnAdmitted);
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) counts.gcMaxMs = Math.max(counts.gcMaxMs, e.duration);
}).observe({ entryTypes: ['gc'] });
const limiter = inner && {
  allow() {
    counts.calls++;
    if (!turnOpen) {
      turnOpen = true;
      turnStart = performance.now();
      turnAdmitted = 0;
      counts.turns++;
      setImmediate(endTurn);
    }
    const done = inner.allow();
    if (done) {
      counts.admitted++;
      turnAdmitted++;
    }
    return done;
  },
  stat: () => inner.stat(),
};
const middleware = limiter && !early ? [rateLimit({ limiter })] : [];
const admission = limiter && early ? { limiter } : {};
const logger = { log() {} };

// The handler burns a fixed amount of CPU (not of wall time: on a busy host a wall-time loop
// would burn less CPU whenever the process is descheduled): SPIN_ITERATIONS when given (run.mjs
// passes the first server's count to every later one, so the bare server that measures capacity
// and the server under test do the same work per call), else calibrated at start: the fastest of
// 30 tries (the ones where the process was not descheduled).
const spin = (n: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) x += Math.sqrt(x + i);
  return x;
};
let iterations = Number(process.env.SPIN_ITERATIONS ?? 0);
if (!(iterations > 0)) {
  let perMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    spin(100_000);
    perMs = Math.min(perMs, performance.now() - t);
  }
  iterations = Math.round((100_000 / perMs) * burnMs);
}
console.log(`iterations ${iterations}`);

const threadCpu = typeof process.threadCpuUsage === 'function' ? () => process.threadCpuUsage() : undefined;

async function handler(_ctx: unknown, req: { name: string }) {
  const t = performance.now();
  const c = threadCpu?.();
  const x = spin(iterations);
  const took = performance.now() - t;
  counts.spinMs += took;
  if (took < counts.spinMinMs) counts.spinMinMs = took;
  // The main thread's own CPU time in the handler (Node >= 23.9): wall time above it was taken by
  // other threads or the host.
  if (c) {
    const d = process.threadCpuUsage(c);
    counts.spinCpuMs += (d.user + d.system) / 1000;
  }
  counts.spins++;
  return pingReply(`hi ${req.name} ${x > 0 ? '' : '.'}`);
}

let stop: () => Promise<void>;
if (transport === 'http') {
  const server = createHttpServer({ address: `127.0.0.1:${port}`, logger, middleware, ...admission });
  server.route(pingRoute, handler);
  await server.start();
  stop = () => server.stop();
} else if (transport === 'rpc') {
  // MAX_STREAMS overrides maxConcurrentStreams (default 250), e.g. 4294967295 for node:http2's own.
  const streams = process.env.MAX_STREAMS ? { maxConcurrentStreams: Number(process.env.MAX_STREAMS) } : {};
  const server = createRpcServer({
    address: `127.0.0.1:${port}`,
    logger,
    middleware,
    ...admission,
    ...streams,
  });
  server.registerService(PingerService, { Ping: handler as never });
  await server.start();
  stop = () => server.stop();
} else {
  const server = createGrpcServer({ address: `127.0.0.1:${port}`, logger, middleware, ...admission });
  server.registerService(PingerService, { Ping: handler as never });
  await server.start();
  stop = () => server.stop();
}
console.log(`listening ${port}`);
// Signal, limiter state and memory once a second, for the report.
let lastStat = performance.now();
setInterval(() => {
  const s = limiter?.stat();
  const at = performance.now();
  const wallMs = at - lastStat;
  lastStat = at;
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const line = {
    ...loadSnapshot(),
    ...(s ?? {}),
    rss: process.memoryUsage.rss(),
    ...counts,
    cpuMs: cpuMs - counts.cpuMs,
    wallMs,
  };
  console.log(`stat ${JSON.stringify(line)}`);
  Object.assign(counts, zero(), { cpuMs });
}, 1000).unref();
process.on('SIGTERM', () => {
  void stop().then(() => process.exit(0));
});
