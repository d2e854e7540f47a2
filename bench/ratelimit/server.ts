// The server under test: one route, `ping.v1.Pinger/Ping` over @kratos/http (`GET /v1/ping/{name}`)
// or @kratos/grpc, whose handler burns CPU synchronously (BURN_MS per call, a busy loop like a
// template render or a JSON transform), behind rateLimit() or behind nothing.
// Modes: none (no limiter); bbr (createBbrLimiter() defaults: elu signal + event-loop turn guard);
// go (turnBudget 0: Go Kratos' rule alone); before (the limiter before the turn guard,
// baseline-bbr.ts); cpu (bbr on the cpu signal).
// Run: taskset -c 0 node --conditions=kratos-source bench/ratelimit/server.ts <http|grpc> <mode> <port>
import { performance } from 'node:perf_hooks';
import { createGrpcServer } from '../../packages/grpc/src/index.ts';
import { createHttpServer } from '../../packages/http/src/index.ts';
import {
  createBbrLimiter,
  type Limiter,
  loadSnapshot,
  rateLimit,
} from '../../packages/middleware/src/index.ts';
import { PingerService, pingReply, pingRoute } from '../../packages/testkit/src/ping.ts';
import { createBeforeLimiter } from './baseline-bbr.ts';

const transport = process.argv[2] ?? 'http';
const mode = process.argv[3] ?? 'none';
const port = Number(process.argv[4] ?? 8000);
const burnMs = Number(process.env.BURN_MS ?? 2);

const limiters: Record<string, () => (Limiter & { stat(): object }) | undefined> = {
  none: () => undefined,
  bbr: () => createBbrLimiter(),
  go: () => createBbrLimiter({ turnBudget: 0 }),
  before: () => createBeforeLimiter(),
  cpu: () => createBbrLimiter({ signal: 'cpu' }),
};
const make = limiters[mode];
if (!make) {
  console.error(`server: unknown mode ${mode} (${Object.keys(limiters).join(', ')})`);
  process.exit(2);
}
const limiter = make();
const middleware = limiter ? [rateLimit({ limiter })] : [];
const logger = { log() {} };

async function handler(_ctx: unknown, req: { name: string }) {
  const end = performance.now() + burnMs;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return pingReply(`hi ${req.name} ${x > 0 ? '' : '.'}`);
}

let stop: () => Promise<void>;
if (transport === 'http') {
  const server = createHttpServer({ address: `127.0.0.1:${port}`, logger, middleware });
  server.route(pingRoute, handler);
  await server.start();
  stop = () => server.stop();
} else {
  const server = createGrpcServer({ address: `127.0.0.1:${port}`, logger, middleware });
  server.registerService(PingerService, { Ping: handler as never });
  await server.start();
  stop = () => server.stop();
}
console.log(`listening ${port}`);
// Signal, limiter state and memory once a second, for the report.
setInterval(() => {
  const s = limiter?.stat();
  console.log(`stat ${JSON.stringify({ ...loadSnapshot(), ...(s ?? {}), rss: process.memoryUsage.rss() })}`);
}, 1000).unref();
process.on('SIGTERM', () => {
  void stop().then(() => process.exit(0));
});
