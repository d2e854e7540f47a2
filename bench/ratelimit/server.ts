// The server under test: one @kratos/http route whose handler burns CPU synchronously (BURN_MS
// per request, a busy loop like a template render or a JSON transform), behind rateLimit() with
// the chosen overload signal, or behind nothing.
// Run: taskset -c 0 node --conditions=kratos-source bench/ratelimit/server.ts <none|elu|cpu> <port>
import { performance } from 'node:perf_hooks';
import { createHttpServer } from '../../packages/http/src/index.ts';
import { createBbrLimiter, loadSnapshot, rateLimit } from '../../packages/middleware/src/index.ts';
import { pingReply, pingRoute } from '../../packages/testkit/src/ping.ts';

const mode = process.argv[2] ?? 'none';
const port = Number(process.argv[3] ?? 8000);
const burnMs = Number(process.env.BURN_MS ?? 2);

// 'cpu-process': this process' own CPU over the cores it may use, averaged like the built-in
// signals (what the 'cpu' signal reads in a container whose cgroup holds only this process).
let processCpu = 0;
if (mode === 'cpu-process') {
  let last = process.cpuUsage();
  let at = performance.now();
  setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const sample = Math.min(1000, ((used.user + used.system) / 1000 / (now - at)) * 1000);
    at = now;
    processCpu = processCpu * 0.95 + sample * 0.05;
  }, 500).unref();
}
const limiter =
  mode === 'none'
    ? undefined
    : mode === 'cpu-process'
      ? createBbrLimiter({ cpu: () => processCpu })
      : createBbrLimiter({ signal: mode as 'elu' | 'cpu' });
const server = createHttpServer({
  address: `127.0.0.1:${port}`,
  logger: { log() {} },
  middleware: limiter ? [rateLimit({ limiter })] : [],
});
server.route(pingRoute, async (_ctx, req: { name: string }) => {
  const end = performance.now() + burnMs;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return pingReply(`hi ${req.name} ${x > 0 ? '' : '.'}`);
});
await server.start();
console.log(`listening ${port}`);
// Signal and limiter state once a second, for the report.
setInterval(() => {
  const s = limiter?.stat();
  console.log(`stat ${JSON.stringify({ ...loadSnapshot(), ...(s ?? {}) })}`);
}, 1000).unref();
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
