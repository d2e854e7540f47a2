// Load generators: wrk for HTTP/1.1, h2load for gRPC (raw gRPC frames over h2c), both pinned to
// their own CPU, both C programs far faster than any contender on one core.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc.mjs';
import { percentile } from './stats.mjs';

const UNIT_US = { us: 1, ms: 1000, s: 1e6 };
function toUs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  return m ? Number(m[1]) * UNIT_US[m[2]] : Number.NaN;
}

/**
 * wrk -t1 -c<connections> for `seconds`; `request` ({ method, headers, body }) makes every request
 * that one (a wrk Lua script), GET otherwise. Returns { rps, p50Us, p99Us, requests, errors }.
 */
export async function wrk({ url, seconds, connections = 100, cpu, request }) {
  const dir = request ? await mkdtemp(join(tmpdir(), 'kratos-bench-wrk-')) : undefined;
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (dir) {
    const script = join(dir, 'request.lua');
    const lua = (v) => JSON.stringify(v); // a JSON string is a valid Lua string literal for ASCII
    const headers = Object.entries(request.headers ?? {})
      .map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}\n`)
      .join('');
    await writeFile(
      script,
      `wrk.method = ${lua(request.method)}\nwrk.body = ${lua(request.body ?? '')}\n${headers}`,
    );
    args.push('-s', script);
  }
  args.push(url);
  const cmd = typeof cpu === 'number' ? ['taskset', ['-c', String(cpu), 'wrk', ...args]] : ['wrk', args];
  let out;
  try {
    out = await run(cmd[0], cmd[1], { timeoutMs: (seconds + 30) * 1000 });
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  const { code, stdout, stderr } = out;
  if (code !== 0) throw new Error(`wrk failed (${code}): ${stderr.trim() || stdout.trim()}`);
  const num = (re) => {
    const m = re.exec(stdout);
    return m ? Number(m[1]) : 0;
  };
  const lat = (pct) => {
    const m = new RegExp(`^\\s+${pct}%\\s+(\\S+)`, 'm').exec(stdout);
    return m ? toUs(m[1]) : Number.NaN;
  };
  const requests = num(/(\d+) requests in/);
  const errors =
    num(/Non-2xx or 3xx responses: (\d+)/) +
    [...stdout.matchAll(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/g)]
      .flatMap((m) => m.slice(1).map(Number))
      .reduce((a, b) => a + b, 0);
  return { rps: num(/Requests\/sec:\s+([\d.]+)/), p50Us: lat(50), p99Us: lat(99), requests, errors };
}

// gRPC frame: not compressed, 4-byte length, HelloRequest{name: "bench"} (field 1, length 5); the
// streaming service's request has the same shape.
const FRAME = Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('bench')]);

/**
 * h2load over `connections` x `streams` for `warm` + `seconds`; per-request latencies come from
 * its log file (only requests started after the warm-up count). Returns { rps, p50Us, p99Us, requests, errors }.
 */
export async function h2load({ port, path, warm, seconds, connections = 4, streams = 50, cpu }) {
  const dir = await mkdtemp(join(tmpdir(), 'kratos-bench-h2load-'));
  try {
    const body = join(dir, 'body');
    const log = join(dir, 'log');
    await writeFile(body, FRAME);
    const args = [
      '-c',
      String(connections),
      '-m',
      String(streams),
      '-t',
      '1',
      `--warm-up-time=${warm}s`,
      `-D`,
      `${seconds}s`,
      '-H',
      'content-type: application/grpc',
      '-H',
      'te: trailers',
      '-d',
      body,
      `--log-file=${log}`,
      `http://127.0.0.1:${port}${path}`,
    ];
    const cmd =
      typeof cpu === 'number' ? ['taskset', ['-c', String(cpu), 'h2load', ...args]] : ['h2load', args];
    const started = Date.now();
    const { code, stdout, stderr } = await run(cmd[0], cmd[1], { timeoutMs: (warm + seconds + 30) * 1000 });
    if (code !== 0) throw new Error(`h2load failed (${code}): ${stderr.trim() || stdout.trim()}`);
    const finished = /finished in ([\d.]+)s, ([\d.]+) req\/s/.exec(stdout);
    const counts =
      /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
        stdout,
      );
    const measuredFrom = (started + warm * 1000) * 1000; // µs since epoch
    const latencies = [];
    for (const line of (await readFile(log, 'utf8')).split('\n')) {
      const [start, , elapsed] = line.split('\t');
      if (start && Number(start) >= measuredFrom) latencies.push(Number(elapsed));
    }
    latencies.sort((a, b) => a - b);
    return {
      rps: finished ? Number(finished[2]) : Number.NaN,
      p50Us: percentile(latencies, 0.5),
      p99Us: percentile(latencies, 0.99),
      requests: counts ? Number(counts[3]) : 0,
      errors: counts ? Number(counts[5]) + Number(counts[6]) + Number(counts[7]) : 0,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
