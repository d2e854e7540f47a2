// Overload harness: rateLimit() at ~2x capacity on one server core, load from the other.
// Per transport (http, grpc, rpc):
//   rounds; in each, every mode in turn (interleaved, so a busy host's changes hit all modes
//   alike): capacity = the bare server (mode none) saturated by a closed loop (64 callers back to
//   back, after 4 s of the same), measured right before the run and again right after it (the
//   share is against their mean); then a fresh server of the mode, "unloaded" at 0.5x capacity
//   (after a few seconds at that rate to warm the server up), a warm-up at 2x, then "overloaded"
//   at 2x capacity (open loop, Poisson arrivals: the offered load does not drop when the server
//   slows down).
// Prints per run: capacity, offered load, goodput (ok replies/s and share of capacity), p50/p99 of
// admitted (ok) calls and the unloaded p99, rejected share and p99, errors/timeouts, max RSS;
// then the median over rounds. Writes results.json (with the load average around every run).
//
//   node bench/ratelimit/run.mjs [--quick] [--rounds N] [--transports http,grpc] [--modes none,bbr,early]
//   node bench/ratelimit/run.mjs --smoke    (CI: each transport and mode starts and answers; writes nothing)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const quick = flag('--quick');
const smoke = flag('--smoke');
const ROUNDS = Number(opt('--rounds', quick ? 1 : 3));
const TRANSPORTS = opt('--transports', 'http,grpc,rpc').split(',');
const MODES = opt('--modes', 'none,bbr,early').split(',');
const RUN_S = quick ? 8 : 15;
const WARM_S = quick ? 12 : 20; // the `before` limiter's signal needs ~16 s of full load to turn hot
// The reference p99 needs enough calls: at 0.5x capacity a 6 s window held ~600 gRPC calls, so
// its p99 was the 6th slowest, and it read 31-68 ms for the same server from one run to the next
// (the p99 ratios of 2026-12-07 moved with it, not with the loaded p99).
const UNLOADED_S = quick ? 15 : 20;
const UNLOADED_WARM_S = quick ? 4 : 5;
// Enough callers back to back that the server, not the round trip, bounds the rate on a busy host
// (64 x a 2-4 ms call queued against a ~0.2 ms round trip), and few enough that a turn of the
// server's loop stays short: with 400, grpc-js ran ~400 handlers in one 1.6 s turn and flushed
// their replies at its end, so the replies inside a 3 s window undercounted its rate by half.
// Over one HTTP/2 connection (grpc, rpc) even 64 run in lock-step: the server runs the 64 calls
// in one turn, then idles while the client turns the replies into new calls, so it uses 85-88 %
// of its core and the rate comes in steps of 64 calls per run (179, 192, 205/s in 5 s): gRPC
// capacity reads ~12 % low, and the per-CPU-second column is the one to compare there. (An open
// loop at 1.4x instead was tried: @kratos/rpc, holding a backlog, answered 132-147/s in the
// window while the same server answered 224/s at 2x a minute later; not understood yet.)
const CAPACITY_CALLERS = 64;
const CAPACITY_WARM_S = 4;
const port = 18_000 + Math.floor(Math.random() * 1000);
const children = new Set();
// Stops what this harness started when it is interrupted.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });
}
const track = (child) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};
const load = () => os.loadavg().map((x) => Math.round(x * 10) / 10);

function startServer(transport, mode) {
  const child = track(
    spawn(
      'taskset',
      [
        '-c',
        '0',
        process.execPath,
        '--conditions=kratos-source',
        join(here, 'server.ts'),
        transport,
        mode,
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  const stats = [];
  let buf = '';
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server ${transport} ${mode} exited ${code}`)));
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('listening')) resolve();
        // The first server's calibrated handler work is every later server's (same work per call
        // in the capacity run and the run it is compared with).
        else if (line.startsWith('iterations ')) process.env.SPIN_ITERATIONS ??= line.slice(11);
        else if (line.startsWith('stat ')) stats.push(JSON.parse(line.slice(5)));
      }
    });
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  // taskset execs node: the child's pid is the server's.
  return { stats, ready, stop, cpu: () => cpuSeconds(child.pid) };
}

/**
 * CPU time (user + system) a process has used, s, from /proc (10 ms resolution). Calls per CPU
 * second do not depend on how much of its core a shared host gave the server, unlike calls/s.
 */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One load run (asynchronous, so the server's stat lines keep being read meanwhile). */
async function loadgen(transport, rate, seconds, env = {}) {
  const child = track(
    spawn(
      'taskset',
      [
        '-c',
        '1',
        process.execPath,
        join(here, 'loadgen.mjs'),
        transport,
        String(port),
        String(rate),
        String(seconds),
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  await new Promise((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`loadgen failed: ${out}\n${err}`);
  return JSON.parse(line.slice(7));
}

if (smoke) {
  // Keeps the harness working where timing means nothing: every server answers for a second.
  for (const transport of TRANSPORTS) {
    for (const mode of MODES) {
      const s = startServer(transport, mode);
      await s.ready;
      const res = await loadgen(transport, 0, 1, { CLOSED: '2' });
      await s.stop();
      if (res.ok.n === 0)
        throw new Error(`ratelimit smoke: ${transport} ${mode} answered no call (${JSON.stringify(res)})`);
      console.log(`ratelimit smoke: ${transport} ${mode} ok (${res.ok.n} replies)`);
    }
  }
  process.exit(0);
}

const sum = (xs, k) => xs.reduce((a, x) => a + (x[k] ?? 0), 0);
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const pc = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '-');

const results = { burnMs: Number(process.env.BURN_MS ?? 2), quick, startLoadavg: load(), transports: {} };
const header =
  '| transport | mode | capacity/s (before, after) | offered/s | goodput/s | goodput/capacity | goodput/capacity per CPU s | server CPU (capacity run) | p50 ok ms | p99 ok ms | unloaded p99 ms | p99 ratio | rejected | p99 rejected ms | errors+timeouts | max RSS MB | load avg | handler work / capacity run |';
const sep = `|${' --- |'.repeat(18)}`;
const row = (t, mode, r) =>
  `| ${t} | ${mode} | ${f0(r.capacity)} (${f0(r.capacityBefore)}, ${f0(r.capacityAfter)}) | ${f0(r.offered)} | ${f0(r.goodput)} | ${pc(r.goodputShare)} | ${pc(r.goodputPerCpu)} | ${pc(r.cpuShare)} (${pc(r.capacityCpuShare)}) | ${f1(r.p50)} | ${f1(r.p99)} | ${f1(r.unloadedP99)} | ${f1(r.p99Ratio)}x | ${pc(r.rejectedShare)} | ${f1(r.rejectedP99)} | ${r.failed} | ${f0(r.rssMb)} | ${r.loadavg ?? ''} | ${pc(r.workShare)} |`;

/** Capacity now: the bare server under CAPACITY_CALLERS closed-loop callers. */
async function capacityNow(transport, seconds) {
  const s = startServer(transport, 'none');
  await s.ready;
  const closedLoop = { CLOSED: String(CAPACITY_CALLERS), CONNS: String(CAPACITY_CALLERS) };
  // Served for 4 s before it is measured. V8 first runs the handler's busy loop as on-stack-
  // replaced TurboFan code (~2 ms per call here); once the handler itself is hot (1-2 s of calls)
  // it is compiled by Maglev with the loop inlined, and a call takes ~3.5 ms from then on. With a
  // 1 s warm-up the capacity run measured up to a second of the cheap calls, while the server under
  // test (30 s old) ran only the dear ones: capacity read 10-20 % high (2026-12-07).
  await loadgen(transport, 0, CAPACITY_WARM_S, closedLoop);
  const cpu0 = s.cpu();
  const from = s.stats.length;
  const t0 = performance.now();
  const run = await loadgen(transport, 0, seconds, closedLoop);
  const cpu = s.cpu() - cpu0;
  const wall = (performance.now() - t0) / 1000; // the load generator's start and drain included
  const during = s.stats.slice(from);
  await s.stop();
  return {
    perSec: run.okPerSec,
    perCpuS: run.ok.n / cpu,
    cpuShare: cpu / wall,
    handlerShareOfCpu: sum(during, 'spinMs') / Math.max(1, sum(during, 'cpuMs')),
    handlerPerWall: sum(during, 'spinMs') / Math.max(1, sum(during, 'wallMs')),
    handlerMsPerCall: sum(during, 'spinMs') / Math.max(1, sum(during, 'spins')),
    handlerCpuMsPerCall: sum(during, 'spinCpuMs') / Math.max(1, sum(during, 'spins')),
  };
}

for (const transport of TRANSPORTS) {
  const entry = { runs: [] };
  results.transports[transport] = entry;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      // Measured again before every run: on a shared host what one core gives drifts by 2x
      // within minutes, and 2x of a stale capacity is no overload at all.
      const cap = await capacityNow(transport, 5);
      const capacity = cap.perSec;
      const srv = startServer(transport, mode);
      await srv.ready;
      const before = load();
      // The unloaded p99 is the reference for the overloaded one: taken on a warm server (the
      // first seconds of a fresh process compile its code and read up to 2x slower in the tail).
      await loadgen(transport, capacity / 2, UNLOADED_WARM_S);
      const unloaded = await loadgen(transport, capacity / 2, UNLOADED_S);
      await loadgen(transport, capacity * 2, WARM_S);
      const from = srv.stats.length;
      const cpu0 = srv.cpu();
      const t0 = performance.now();
      const over = await loadgen(transport, capacity * 2, RUN_S);
      const cpu = srv.cpu() - cpu0;
      const wall = (performance.now() - t0) / 1000;
      const during = srv.stats.slice(from);
      await srv.stop();
      // And again right after: the share is taken against the mean of the two, so a host that
      // got slower or faster during the ~30 s between them biases it by half as much, and the
      // two show how much it moved.
      const capAfter = await capacityNow(transport, 5);
      const capacityMean = (capacity + capAfter.perSec) / 2;
      const r = {
        round,
        mode,
        capacity: capacityMean,
        capacityBefore: capacity,
        capacityAfter: capAfter.perSec,
        offered: over.offeredPerSec,
        goodput: over.okPerSec,
        goodputShare: over.okPerSec / capacityMean,
        // Per CPU second of the server: ok replies at 2x over ok replies of the bare server at
        // capacity (what the goodput share would be had both runs had the core to themselves),
        // and the share of a core the server got in each.
        goodputPerCpu: over.ok.n / cpu / ((cap.perCpuS + capAfter.perCpuS) / 2),
        cpuShare: cpu / wall,
        // Server CPU per answered call (ok or rejected), µs: with mode shed / early-shed, the cost
        // of a shed.
        cpuUsPerCall: (cpu * 1e6) / Math.max(1, over.ok.n + over.rejected.n),
        capacityCpuShare: (cap.cpuShare + capAfter.cpuShare) / 2,
        p50: over.ok.p50,
        p99: over.ok.p99,
        unloadedP99: unloaded.ok.p99,
        p99Ratio:
          over.ok.p99 === null || unloaded.ok.p99 === null ? Number.NaN : over.ok.p99 / unloaded.ok.p99,
        rejectedShare: over.rejected.n / Math.max(1, over.sent),
        rejectedP99: over.rejected.p99,
        failed: over.error.n + over.timeout.n + over.skipped,
        rssMb: Math.max(0, ...during.map((x) => x.rss ?? 0)) / 2 ** 20,
        // Per second of the run, from the server's lines: its longest turn with calls, the most
        // calls a turn admitted and its longest garbage collection (where a p99 spike came from).
        maxTurnMs: during.map((x) => Math.round(x.maxTurnMs ?? 0)),
        maxTurnAdmitted: during.map((x) => x.maxTurnAdmitted ?? 0),
        gcMaxMs: during.map((x) => Math.round(x.gcMaxMs ?? 0)),
        signal: during.length ? during[Math.floor(during.length / 2)] : undefined,
        // From the server's own per-second lines: the handler's time per call and its share of the
        // server's CPU (the rest is the transport, the limiter and the sheds).
        handlerMsPerCall: sum(during, 'spinMs') / Math.max(1, sum(during, 'spins')),
        handlerShareOfCpu: sum(during, 'spinMs') / Math.max(1, sum(during, 'cpuMs')),
        capacityHandlerShareOfCpu: (cap.handlerShareOfCpu + capAfter.handlerShareOfCpu) / 2,
        capacityHandlerMsPerCall: [cap.handlerMsPerCall, capAfter.handlerMsPerCall],
        // The same in the main thread's CPU time: when both move together the host's core got
        // slower or faster, not busier with other threads.
        handlerCpuMsPerCall: sum(during, 'spinCpuMs') / Math.max(1, sum(during, 'spins')),
        capacityHandlerCpuMsPerCall: [cap.handlerCpuMsPerCall, capAfter.handlerCpuMsPerCall],
        // The share of wall time the server spent in admitted handlers, over the bare saturated
        // server's: what the limiter leaves of the core for work that answers. Unlike calls/s it
        // does not move when the host's speed drifts between the two runs.
        workShare:
          sum(during, 'spinMs') /
          Math.max(1, sum(during, 'wallMs')) /
          ((cap.handlerPerWall + capAfter.handlerPerWall) / 2),
        loadavg: `${before[0]} -> ${load()[0]}`,
        unloaded,
        overloaded: over,
      };
      entry.runs.push(r);
      if (round === 1 && mode === MODES[0] && transport === TRANSPORTS[0]) console.log(`${header}\n${sep}`);
      console.log(row(transport, `${mode} (round ${round})`, r));
    }
  }
}

console.log(`\nMedian over ${ROUNDS} round(s):\n${header}\n${sep}`);
for (const [transport, entry] of Object.entries(results.transports)) {
  for (const mode of MODES) {
    const runs = entry.runs.filter((r) => r.mode === mode);
    const m = (k) => median(runs.map((r) => r[k]));
    const summary = {
      capacity: m('capacity'),
      capacityBefore: m('capacityBefore'),
      capacityAfter: m('capacityAfter'),
      offered: m('offered'),
      goodput: m('goodput'),
      goodputShare: m('goodputShare'),
      goodputPerCpu: m('goodputPerCpu'),
      cpuShare: m('cpuShare'),
      capacityCpuShare: m('capacityCpuShare'),
      p50: m('p50'),
      p99: m('p99'),
      unloadedP99: m('unloadedP99'),
      p99Ratio: m('p99Ratio'),
      rejectedShare: m('rejectedShare'),
      rejectedP99: m('rejectedP99'),
      failed: median(runs.map((r) => r.failed)),
      rssMb: m('rssMb'),
      workShare: m('workShare'),
      loadavg: runs.map((r) => r.loadavg.split(' -> ')[0]).join('/'),
    };
    entry[mode] = summary;
    console.log(row(transport, mode, summary));
  }
}
results.endLoadavg = load();
results.spinIterations = Number(process.env.SPIN_ITERATIONS);
writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
