// BBR rate limiting under overload, one server core, wrk on the other.
// 1. capacity: the bare server (no limiter) saturated by a closed loop;
// 2. per mode (none, elu, cpu, cpu-process): "unloaded" at ~0.5x capacity, then "overloaded" at ~2x capacity
//    (connections with random think time; a warm-up long enough for the 0.95-decay moving average
//    of the signal to cross the 800 threshold, then the measured run).
// Run: node bench/ratelimit/run.mjs [--quick]   (writes bench/ratelimit/results.json)
//      node bench/ratelimit/run.mjs --smoke     (CI: each mode's server starts and answers; ~10 s, writes nothing)
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const smoke = process.argv.includes('--smoke');
const WARM_S = quick ? 12 : 25;
const RUN_S = quick ? 8 : 15;
const CONNS = 200;
const port = 18_000 + Math.floor(Math.random() * 1000);

function startServer(mode) {
  const child = spawn(
    'taskset',
    ['-c', '0', process.execPath, '--conditions=kratos-source', join(here, 'server.ts'), mode, String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stats = [];
  let buf = '';
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('listening')) resolve();
        else if (line.startsWith('stat ')) stats.push(JSON.parse(line.slice(5)));
      }
    });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { child, stats, ready, stop };
}

async function wrk(args, env = {}) {
  // Asynchronous, so the server's stat lines keep being read while wrk runs.
  const child = spawn('taskset', ['-c', '1', 'wrk', '-t1', ...args, `http://127.0.0.1:${port}/v1/ping/x`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  await new Promise((r) => child.once('exit', r));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  if (!line) throw new Error(`wrk failed: ${stdout}\n${stderr}`);
  const res = JSON.parse(line.slice(7));
  for (const k of ['p50', 'p90', 'p99', 'max']) res[k] = res[k] / 1000; // us -> ms
  res.rps = rps;
  return res;
}

const script = ['-s', join(here, 'load.lua'), '--timeout', '5s'];
const results = { burnMs: Number(process.env.BURN_MS ?? 2), loadavg: os.loadavg(), modes: {} };
const MODES = ['none', 'elu', 'cpu', 'cpu-process'];

if (smoke) {
  // Keeps the harness working where timing means nothing: every mode serves 200s for a second.
  for (const mode of MODES) {
    const s = startServer(mode);
    await s.ready;
    const res = await wrk(['-c2', '-d1s', ...script], { THINK_MS: '0' });
    await s.stop();
    const ok = res.statuses[200] ?? 0;
    if (ok === 0)
      throw new Error(`ratelimit smoke: mode ${mode} answered no 200 (${JSON.stringify(res.statuses)})`);
    console.log(`ratelimit smoke: ${mode} ok (${ok} replies)`);
  }
  process.exit(0);
}

// Capacity of the bare server: closed loop, no think time.
{
  const s = startServer('none');
  await s.ready;
  await wrk(['-c4', '-d3s', ...script], { THINK_MS: '0' });
  results.capacity = (await wrk(['-c8', `-d${quick ? 5 : 8}s`, ...script], { THINK_MS: '0' })).rps;
  await s.stop();
}
const cap = results.capacity;
// Offered rate ~ CONNS / think: think = CONNS / rate (the mean of the random delay is THINK_MS).
const thinkFor = (rate) => String(Math.max(1, Math.round((CONNS / rate) * 1000)));
console.log(
  `capacity ${cap.toFixed(0)} req/s; offered unloaded ${(cap / 2).toFixed(0)}, overloaded ${(cap * 2).toFixed(0)}`,
);

for (const mode of MODES) {
  const s = startServer(mode);
  await s.ready;
  const unloaded = await wrk([`-c${CONNS}`, `-d${RUN_S}s`, ...script], { THINK_MS: thinkFor(cap / 2) });
  await wrk([`-c${CONNS}`, `-d${WARM_S}s`, ...script], { THINK_MS: thinkFor(cap * 2) });
  const from = s.stats.length;
  const overloaded = await wrk([`-c${CONNS}`, `-d${RUN_S}s`, ...script], { THINK_MS: thinkFor(cap * 2) });
  const during = s.stats.slice(from);
  await s.stop();
  const share = (res, code) => (res.statuses[code] ?? 0) / Math.max(1, res.requests);
  results.modes[mode] = {
    unloaded,
    overloaded,
    p99Ratio: overloaded.p99 / unloaded.p99,
    share429: share(overloaded, 429),
    share504: share(overloaded, 504),
    ok200PerSec: (overloaded.statuses[200] ?? 0) / RUN_S,
    signalDuring: during.length ? during[Math.floor(during.length / 2)] : undefined,
  };
  const m = results.modes[mode];
  console.log(
    `${mode.padEnd(11)} unloaded p99 ${unloaded.p99.toFixed(1)} ms | overloaded p99 ${overloaded.p99.toFixed(1)} ms (x${m.p99Ratio.toFixed(1)}), ` +
      `429 ${(m.share429 * 100).toFixed(1)}%, 504 ${(m.share504 * 100).toFixed(1)}%, 200/s ${m.ok200PerSec.toFixed(0)}, ` +
      `signal ${JSON.stringify(m.signalDuring ?? {})}`,
  );
}
writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
