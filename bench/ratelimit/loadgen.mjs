// Load generator of the overload harness, for HTTP/1.1 and gRPC alike (`grpc` and `rpc` both speak
// gRPC; run pinned to its own core).
// Open loop: Poisson arrivals at RATE per second for SECONDS, whatever the server answers (a slow
// server does not slow the offered load down, as it would with a closed loop); or closed loop
// (CLOSED=n callers back to back) to measure capacity. Each call's latency is kept by outcome
// (ok, rejected = 429 / RESOURCE_EXHAUSTED, other error, timeout), from the moment it was sent.
// Prints one line: RESULT {json}.
//
//   node loadgen.mjs <http|grpc|rpc> <port> <rate> <seconds>   env: CLOSED, CONNS (256), CHANNELS (1), MAX_OUTSTANDING (2000), TIMEOUT_MS (5000)
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';

const [transport, portArg, rateArg, secondsArg] = process.argv.slice(2);
const port = Number(portArg);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const closed = Number(process.env.CLOSED ?? 0);
const conns = Number(process.env.CONNS ?? 256);
const maxOutstanding = Number(process.env.MAX_OUTSTANDING ?? 2000);
const timeoutMs = Number(process.env.TIMEOUT_MS ?? 5000);

const lat = { ok: [], rejected: [], error: [], timeout: [] };
let sent = 0;
let skipped = 0; // arrivals dropped by the generator because MAX_OUTSTANDING calls were open
let outstanding = 0;
// Ok replies that arrived before the load stopped: the rate the server answered at. Calls still
// queued when it stopped (a closed loop's callers, an overloaded server's backlog) finish after
// and are not a rate at all (400 queued calls drained after a 3 s run read as +133 calls/s).
let okInWindow = 0;
let maxSeen = 0;
const errors = {};
// Per second of the run (by send time): calls sent, then outcomes and the slowest ok reply.
const timeline = [];
const second = (at) => {
  const i = Math.max(0, Math.floor((at - begin) / 1000));
  timeline[i] ??= { sent: 0, ok: 0, rejected: 0, failed: 0, maxOkMs: 0 };
  return timeline[i];
};

// One call: resolves to an outcome; `done(outcome)` records it.
let call;
if (transport === 'http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  call = (done) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/v1/ping/x', agent, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () =>
          done(res.statusCode === 200 ? 'ok' : res.statusCode === 429 ? 'rejected' : 'error', res.statusCode),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done(e.message === 'timeout' ? 'timeout' : 'error', e.code ?? e.message));
    req.end();
  };
} else if (transport === 'grpc' || transport === 'rpc') {
  // ping.v1.PingRequest{name: "x"}: field 1, length 1.
  const body = Buffer.from([0x0a, 1, 0x78]);
  // CHANNELS connections (default 1, as one client process has), calls spread round robin.
  const clients = Array.from(
    { length: Math.max(1, Number(process.env.CHANNELS ?? 1)) },
    () =>
      new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }),
  );
  let nextClient = 0;
  call = (done) => {
    const client = clients[nextClient++ % clients.length];
    client.makeUnaryRequest(
      '/ping.v1.Pinger/Ping',
      (b) => b,
      (b) => b,
      body,
      { deadline: Date.now() + timeoutMs },
      (err) => {
        if (!err) done('ok');
        else if (err.code === grpc.status.RESOURCE_EXHAUSTED) done('rejected');
        else if (err.code === grpc.status.DEADLINE_EXCEEDED) done('timeout');
        else done('error', `grpc ${err.code}`);
      },
    );
  };
} else {
  console.error(`loadgen: unknown transport ${transport}`);
  process.exit(2);
}

function fire() {
  if (outstanding >= maxOutstanding) {
    skipped++;
    return;
  }
  const at = performance.now();
  second(at).sent++;
  sent++;
  outstanding++;
  if (outstanding > maxSeen) maxSeen = outstanding;
  let finished = false;
  call((outcome, detail) => {
    if (finished) return;
    finished = true;
    outstanding--;
    const took = performance.now() - at;
    lat[outcome].push(took);
    const sec = second(at);
    if (outcome === 'ok') {
      if (at + took <= end) okInWindow++;
      sec.ok++;
      sec.maxOkMs = Math.max(sec.maxOkMs, Math.round(took));
    } else if (outcome === 'rejected') sec.rejected++;
    else sec.failed++;
    if (outcome === 'error') errors[detail] = (errors[detail] ?? 0) + 1;
    if (closed > 0 && performance.now() < end) fire();
  });
}

const begin = performance.now();
const end = begin + seconds * 1000;
// The generator's own CPU share while the load runs: near 100 % its event loop, not the server,
// adds to the latencies it reports.
const cpuAtBegin = process.cpuUsage();
let clientCpuShare = null;
setTimeout(() => {
  const c = process.cpuUsage(cpuAtBegin);
  clientCpuShare = (c.user + c.system) / 1000 / (performance.now() - begin);
}, seconds * 1000).unref();
if (closed > 0) {
  for (let i = 0; i < closed; i++) fire();
} else {
  // Poisson arrivals: exponential gaps; a 1 ms tick sends every arrival that is due.
  let next = begin;
  const tick = setInterval(() => {
    const now = performance.now();
    while (next <= now && next < end) {
      fire();
      next += -Math.log(1 - Math.random()) * (1000 / rate);
    }
    if (now >= end) clearInterval(tick);
  }, 1);
}

await new Promise((resolve) => {
  const check = setInterval(() => {
    if (performance.now() >= end && (outstanding === 0 || performance.now() >= end + timeoutMs + 1000)) {
      clearInterval(check);
      resolve();
    }
  }, 20);
});

const pct = (xs, p) => {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p99: pct(xs, 99) });
const result = {
  transport,
  rate: closed > 0 ? null : rate,
  closed: closed || null,
  seconds,
  sent,
  skipped,
  offeredPerSec: (sent + skipped) / seconds,
  okPerSec: okInWindow / seconds,
  okAfterStop: lat.ok.length - okInWindow,
  maxOutstanding: maxSeen,
  clientCpuShare,
  unfinished: outstanding,
  ok: summary(lat.ok),
  rejected: summary(lat.rejected),
  error: summary(lat.error),
  timeout: summary(lat.timeout),
  errors,
  timeline,
};
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(0);
