#!/usr/bin/env node
import { existsSync } from 'node:fs';
// Side-by-side benchmark of kratos-ts against bare node:http / fastify / grpc-js, NestJS,
// Moleculer and Go Kratos, all serving the same hello-world. See bench/README.md.
//
//   node bench/run.mjs            full run (~11 min), writes docs/benchmarks.md + docs/benchmarks-*.svg
//   node bench/run.mjs --quick    one short round of everything (< 2 min), writes bench/.results/
//   options: --only id,id  --rounds N  --seconds N  --warm N  --out DIR  --source (run from TS sources)
//
// Exits 0 unless the harness itself breaks: a contender that cannot be built or started is
// reported as skipped with the reason. Nothing here asserts anything about timing.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASELINE, contenders } from './lib/contenders.mjs';
import { h2load, wrk } from './lib/load.mjs';
import { cpuSeconds, freePort, have, rssMB, run, sampleRss, startServer } from './lib/proc.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { fmt1, fmtInt, fmtMs } from './lib/report.mjs';
import { renderReport } from './lib/report-doc.mjs';
import { median, spread } from './lib/stats.mjs';
import { verify } from './lib/verify.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
const NODE = process.execPath;
const SRC = '--conditions=kratos-source';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warm: { type: 'string' },
    out: { type: 'string' },
    'report-only': { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
  },
});
const quick = opts.quick;
const ROUNDS = Number(opts.rounds ?? (quick ? 1 : 5));
const SECONDS = Number(opts.seconds ?? (quick ? 2 : 5));
const WARM = Number(opts.warm ?? (quick ? 1 : 2));
const STARTS = quick ? 1 : 5; // cold starts measured per contender
const OUT_DOCS = opts.out ?? (quick ? join(BENCH, '.results') : join(ROOT, 'docs'));
const RESULTS = join(BENCH, '.results');
const twoCpus = cpus().length >= 2;
const SERVER_CPU = twoCpus ? 0 : undefined;
const LOAD_CPU = twoCpus ? 1 : undefined;
const began = Date.now();
const loadAtStart = loadavg()[0];
const log = (msg) => console.log(`[bench +${((Date.now() - began) / 1000).toFixed(0).padStart(3)}s] ${msg}`);

// ---------------------------------------------------------------- contenders
const GO_BIN = join(
  process.env.KRATOS_CACHE ?? join(process.env.HOME ?? '/tmp', '.cache/kratos-ts'),
  'bench/go-kratos',
);
const node = (...args) => ({ cmd: NODE, args });
// How the TypeScript contenders run. `dist` (default once the workspace is built): each contender is
// compiled to one .mjs by esbuild with every package left external, so @kratos/* load their built
// dist/ JavaScript, as in a deployed service; `source` (--source, or no dist/ yet): from the
// TypeScript sources through Node's type stripping, which costs start-up time and memory.
const DIST = join(BENCH, '.results/dist');
let MODE = opts.source ? 'source' : 'dist';
/** The node arguments that run contender `file` (a .ts under contenders/) in the current mode. */
const tsContender = (file, ...args) =>
  MODE === 'dist'
    ? node(join(DIST, file.replace(/^contenders\//, '').replace(/\.ts$/, '.mjs')), ...args)
    : node(SRC, file, ...args);
const FULL_LOG = (id) => join(RESULTS, `${id}.log`);
const CONTENDERS = contenders({ node, ts: tsContender, goBin: GO_BIN, fullLog: FULL_LOG });
const only = opts.only ? new Set(opts.only.split(',')) : null;
const onlyTransports = new Set(CONTENDERS.filter((c) => only?.has(c.id)).map((c) => c.transport));
const active = CONTENDERS.filter(
  (c) => !only || only.has(c.id) || (BASELINE[c.transport] === c.id && onlyTransports.has(c.transport)),
);
const skipped = new Map(); // id -> reason
const notes = [];

// ---------------------------------------------------------------- preparation
async function prepare() {
  await mkdir(RESULTS, { recursive: true });
  for (const tool of ['wrk', 'h2load', 'taskset']) {
    if (!(await have(tool))) {
      const reason = `${tool} is not installed (apt-get install -y ${tool === 'h2load' ? 'nghttp2-client' : tool === 'taskset' ? 'util-linux' : tool})`;
      for (const c of active) {
        if (
          (tool === 'wrk' && c.transport === 'http') ||
          (tool === 'h2load' && c.transport !== 'http') ||
          tool === 'taskset'
        )
          skipped.set(c.id, reason);
      }
    }
  }
  if (!twoCpus)
    notes.push('Fewer than 2 CPUs: server and load generator share the CPU (no pinning); ratios only.');
  log('generating the kratos-ts code from greeter.proto (buf + protoc-gen-es + protoc-gen-kratos)');
  const gen = await run(NODE, [SRC, 'lib/generate.ts'], { cwd: BENCH, timeoutMs: 120_000 });
  if (gen.code !== 0) {
    const reason = `code generation failed: ${gen.stderr.trim().split('\n').slice(-2).join(' ')}`;
    for (const c of CONTENDERS)
      if (
        c.id !== 'node-http' &&
        c.id !== 'fastify' &&
        !c.go &&
        !c.id.startsWith('nest') &&
        c.id !== 'moleculer'
      )
        skipped.set(c.id, reason);
  }
  if (MODE === 'dist') await compileContenders();
  if (active.some((c) => c.go)) {
    log('building the Go Kratos contender (go build, caches outside the clone)');
    let reason = null;
    if (!(await have('go'))) reason = 'Go is not installed';
    else {
      const b = await run('bash', [join(BENCH, 'contenders/go-kratos/build.sh')], { timeoutMs: 600_000 });
      if (b.code !== 0) reason = `go build failed: ${b.stderr.trim().split('\n').slice(-2).join(' ')}`;
    }
    if (reason) for (const c of CONTENDERS) if (c.go) skipped.set(c.id, reason);
  }
}

/** The workspace packages the TypeScript contenders import; dist mode needs them built. */
const PACKAGES = ['core', 'http', 'grpc', 'rpc', 'middleware', 'middleware-tracing', 'selector'];
const builtOf = (p) => join(ROOT, 'packages', p, 'dist/index.js');

/** Newest modification time (ms) of the files under `dir`. */
async function newestMtime(dir) {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    newest = Math.max(newest, (await stat(join(e.parentPath, e.name))).mtimeMs);
  }
  return newest;
}

/** The packages whose src/ changed after their dist/ was built (a run would measure old code). */
async function staleBuilds() {
  const stale = [];
  for (const p of PACKAGES) {
    const built = builtOf(p);
    if (!existsSync(built)) continue;
    if ((await newestMtime(join(ROOT, 'packages', p, 'src'))) > (await stat(built)).mtimeMs) stale.push(p);
  }
  return stale;
}

/** Compiles each TypeScript contender to one .mjs (dist mode); falls back to source mode if it can't. */
async function compileContenders() {
  const missing = [];
  for (const p of PACKAGES) if (!existsSync(builtOf(p))) missing.push(relative(ROOT, builtOf(p)));
  if (missing.length) {
    notes.push(
      `Ran from TypeScript sources: ${missing[0]} is not built (run \`pnpm turbo run build\` first).`,
    );
    MODE = 'source';
    return;
  }
  const stale = await staleBuilds();
  if (stale.length) {
    log(`rebuilding: the sources of ${stale.join(', ')} changed after their dist/ (pnpm turbo run build)`);
    const b = await run('pnpm', ['-s', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
      cwd: ROOT,
      timeoutMs: 600_000,
    });
    const still = b.code === 0 ? await staleBuilds() : stale;
    if (still.length) {
      notes.push(`Ran from TypeScript sources: the build of ${still.join(', ')} is older than its sources.`);
      MODE = 'source';
      return;
    }
  }
  log('compiling the TypeScript contenders with esbuild (packages external: @kratos/* run from dist/)');
  const { build } = await import('esbuild');
  const files = (await readdir(join(BENCH, 'contenders'))).filter((f) =>
    /^(kratos-(http|grpc|rpc)|grpc-js|stream)\.ts$/.test(f),
  );
  await rm(DIST, { recursive: true, force: true });
  await build({
    entryPoints: files.map((f) => join(BENCH, 'contenders', f)),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'error',
  });
}

async function launch(c, cpu, extraArgs = []) {
  if (c.id.endsWith('-full')) await rm(FULL_LOG(c.id), { force: true }); // access log of the last run only
  const port = await freePort();
  const other = await freePort();
  const { cmd, args } = c.start(port, other);
  const { proc, startMs } = await startServer({
    cmd,
    args: [...extraArgs, ...args.map(String)],
    cwd: BENCH,
    port,
    cpu,
    timeoutMs: 30_000,
  });
  return { proc, startMs, port };
}

// ------------------------------------------------------- start-up and idle memory
const startup = new Map(); // id -> { startMs: [], idleRss: [] }
async function measureStartup() {
  for (const c of active) {
    if (skipped.has(c.id)) continue;
    const rec = { startMs: [], idleRss: [] };
    for (let i = 0; i < STARTS; i++) {
      let launched;
      try {
        launched = await launch(c, SERVER_CPU);
        await verify(c, launched.port);
        await sleep(1000);
        rec.startMs.push(launched.startMs);
        rec.idleRss.push(rssMB(launched.proc.pid));
      } catch (err) {
        skipped.set(c.id, err.skipped ? err.message.replace(/^.*SKIP: /s, '').split(' | ')[0] : err.message);
        log(`${c.id}: skipped: ${skipped.get(c.id)}`);
        break;
      } finally {
        await launched?.proc.stop();
      }
    }
    if (!skipped.has(c.id)) {
      startup.set(c.id, rec);
      log(
        `${c.id}: start ${median(rec.startMs).toFixed(0)} ms, idle RSS ${median(rec.idleRss).toFixed(0)} MB`,
      );
    }
  }
}

// ------------------------------------------------------------ throughput rounds
const loadResults = new Map(); // id -> [{ round, rps, p50Us, p99Us, errors, cpuUsPerReq, peakRss }]
const GRPC_PATH = {
  grpc: '/helloworld.v1.Greeter/SayHello',
  'grpc-stream': '/benchstream.v1.StreamGreeter/StreamHellos',
};
async function loadOnce(c) {
  const { proc, port } = await launch(c, SERVER_CPU);
  try {
    await verify(c, port);
    const h2 = c.transport !== 'http';
    const drive = (seconds, warm) =>
      h2
        ? h2load({ port, path: GRPC_PATH[c.transport], warm, seconds, cpu: LOAD_CPU })
        : wrk({
            url: `http://127.0.0.1:${port}${c.request?.path ?? '/helloworld/bench'}`,
            request: c.request,
            seconds,
            cpu: LOAD_CPU,
          });
    if (!h2) await drive(WARM, 0);
    const cpu0 = cpuSeconds(proc.pid);
    const rss = sampleRss(proc.pid);
    // h2load has its own warm-up phase (not counted); CPU then covers warm-up + measurement.
    const r = await drive(SECONDS, h2 ? WARM : 0);
    const peakRss = rss.stop();
    const cpuUsed = cpuSeconds(proc.pid) - cpu0;
    const cpuWindow = h2 ? (SECONDS / (SECONDS + WARM)) * cpuUsed : cpuUsed;
    if (proc.exited) throw new Error(`died under load: ${proc.output.slice(-300)}`);
    return { ...r, peakRss, cpuUsPerReq: r.requests ? (cpuWindow * 1e6) / r.requests : Number.NaN };
  } finally {
    await proc.stop();
  }
}

async function loadRounds(transport) {
  const list = active.filter((c) => c.transport === transport && !skipped.has(c.id));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of list) {
      let r;
      try {
        r = await loadOnce(c);
        log(
          `${transport} round ${round}/${ROUNDS} ${c.id.padEnd(17)} ${fmtInt(r.rps).padStart(7)} req/s  p50 ${fmtMs(r.p50Us)}  p99 ${fmtMs(r.p99Us)}  ${fmt1(r.cpuUsPerReq)} µs CPU/req  ${r.peakRss.toFixed(0)} MB${r.errors ? `  ${r.errors} errors` : ''}`,
        );
      } catch (err) {
        r = { rps: Number.NaN, p50Us: Number.NaN, p99Us: Number.NaN, error: err.message };
        log(`${transport} round ${round} ${c.id}: failed: ${err.message}`);
      }
      if (!loadResults.has(c.id)) loadResults.set(c.id, []);
      loadResults.get(c.id).push({ round, ...r });
    }
  }
}

/** Per-contender medians and the ratio to the baseline of the same round. */
function summarize(transport) {
  const base = loadResults.get(BASELINE[transport]) ?? [];
  return active
    .filter((c) => c.transport === transport)
    .map((c) => {
      const rs = loadResults.get(c.id) ?? [];
      const sameRound = (r) => base.find((b) => b.round === r.round) ?? {};
      const ratios = rs.map((r) => r.rps / (sameRound(r).rps ?? Number.NaN));
      // CPU time per request of the baseline over this one's: the same ratio, measured in CPU
      // instead of wall-clock throughput, so less exposed to other processes on the machine.
      const cpuRatios = rs.map((r) => (sameRound(r).cpuUsPerReq ?? Number.NaN) / r.cpuUsPerReq);
      const [min, max] = spread(rs.map((r) => r.rps));
      // The same two ratios against other contenders of the run (c.compareTo), round by round.
      // A failed round has no numbers (NaN, or null once read back from results.json).
      const num = (x) => (typeof x === 'number' ? x : Number.NaN);
      const compare = [c.compareTo ?? []].flat().map((id) => {
        const other = loadResults.get(id) ?? [];
        const otherRound = (r) => other.find((o) => o.round === r.round) ?? {};
        const ratios2 = rs.map((r) => num(r.rps) / num(otherRound(r).rps));
        return {
          id,
          label: active.find((x) => x.id === id)?.label ?? id,
          ratio: median(ratios2),
          ratioSpread: spread(ratios2),
          cpuRatio: median(rs.map((r) => num(otherRound(r).cpuUsPerReq) / num(r.cpuUsPerReq))),
          rounds: ratios2.filter((x) => Number.isFinite(x)).length,
        };
      });
      return {
        compare,
        id: c.id,
        label: c.label,
        kratos: !!c.kratos,
        baseline: BASELINE[transport] === c.id,
        skipped: skipped.get(c.id),
        rounds: rs.length,
        failed: rs.filter((r) => r.error).map((r) => r.error),
        rps: median(rs.map((r) => r.rps)),
        min,
        max,
        p50Us: median(rs.map((r) => r.p50Us)),
        p99Us: median(rs.map((r) => r.p99Us)),
        ratio: median(ratios),
        ratioSpread: spread(ratios),
        cpuRatio: median(cpuRatios),
        cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq)),
        peakRss: median(rs.map((r) => r.peakRss)),
        errors: rs.reduce((a, r) => a + (r.errors ?? 0), 0),
      };
    });
}

// ------------------------------------------------------------------ client side
const clientResults = { direct: [], kratos: [] };
async function clientRounds() {
  const server = CONTENDERS.find((c) => c.id === 'grpc-js');
  if (skipped.has('grpc-js') || skipped.has('kratos-grpc')) {
    notes.push('Client comparison skipped: the grpc-js server or the generated code is unavailable.');
    return;
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of ['direct', 'kratos']) {
      const { proc, port } = await launch(server, SERVER_CPU);
      try {
        const args = [SRC, 'client/grpc-client.ts', port, mode, WARM, SECONDS, 50].map(String);
        const cmd =
          LOAD_CPU === undefined ? [NODE, args] : ['taskset', ['-c', String(LOAD_CPU), NODE, ...args]];
        const r = await run(cmd[0], cmd[1], { cwd: BENCH, timeoutMs: (WARM + SECONDS + 30) * 1000 });
        const line = r.stdout
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .pop();
        if (r.code !== 0 || !line) throw new Error(r.stderr.trim().slice(-300) || `exit ${r.code}`);
        const res = JSON.parse(line);
        clientResults[mode].push({ round, ...res });
        log(
          `client round ${round}/${ROUNDS} ${mode.padEnd(6)} ${fmtInt(res.rps)} calls/s  p50 ${fmtMs(res.p50Us)}  p99 ${fmtMs(res.p99Us)}  ${fmt1(res.cpuUsPerCall)} µs client CPU/call`,
        );
      } catch (err) {
        clientResults[mode].push({ round, rps: Number.NaN, error: err.message });
        log(`client round ${round} ${mode}: failed: ${err.message}`);
      } finally {
        await proc.stop();
      }
    }
  }
}

// ------------------------------------------------------------------- selector
let selectorTable = null;
async function selectorPick() {
  const r = await run(NODE, [SRC, 'selector/pick.ts'], { cwd: BENCH, timeoutMs: 120_000 });
  if (r.code !== 0) {
    notes.push(`Selector pick bench failed: ${r.stderr.trim().slice(-200)}`);
    return;
  }
  selectorTable = r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3);
  log(`selector: ${selectorTable.map((f) => `${f[0]}@${f[1]}=${f[2]}ns`).join(' ')}`);
}

// -------------------------------------------------------------------- profiles
const profiles = []; // { id, label, transport, ratio, summary, baseline: { id, summary } }
async function profileOne(c) {
  const dir = join(RESULTS, `prof-${c.id}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { proc, port } = await launch(c, SERVER_CPU, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  try {
    await verify(c, port);
    if (c.transport === 'http') {
      await wrk({ url: `http://127.0.0.1:${port}/helloworld/bench`, seconds: WARM, cpu: LOAD_CPU });
      await wrk({ url: `http://127.0.0.1:${port}/helloworld/bench`, seconds: SECONDS, cpu: LOAD_CPU });
    } else {
      await h2load({
        port,
        path: '/helloworld.v1.Greeter/SayHello',
        warm: WARM,
        seconds: SECONDS,
        cpu: LOAD_CPU,
      });
    }
  } finally {
    await proc.stop(); // SIGTERM -> process.exit -> the profile is written
  }
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile written for ${c.id}`);
  return summarizeProfile(join(dir, file), 25);
}

/** Profiles a kratos-ts contender and its bare baseline under the same load, for a side-by-side. */
async function profile(c, ratio) {
  const base = CONTENDERS.find((x) => x.id === BASELINE[c.transport]);
  const summary = await profileOne(c);
  const baseSummary = await profileOne(base);
  profiles.push({
    id: c.id,
    label: c.label,
    transport: c.transport,
    ratio,
    summary,
    baseline: { id: base.id, summary: baseSummary },
  });
  log(
    `profiled ${c.id}: top ${summary.byOwner
      .slice(0, 4)
      .map((o) => `${o.owner} ${o.pct.toFixed(0)}%`)
      .join(', ')}`,
  );
}

async function profiles_() {
  for (const transport of ['http', 'grpc']) {
    const c = CONTENDERS.find((x) => x.id === `kratos-${transport}`);
    if (!active.includes(c) || skipped.has(c.id) || skipped.has(BASELINE[transport])) continue;
    const row = summarize(transport).find((r) => r.id === c.id);
    // Full mode: profile what trails its baseline by more than 10 % in throughput or in CPU per
    // request (the steadier one on a busy machine); quick mode exercises the step always.
    if (quick || !(row.ratio >= 0.9) || !(row.cpuRatio >= 0.9)) {
      try {
        await profile(c, row.ratio);
      } catch (err) {
        notes.push(`Profiling ${c.id} failed: ${err.message}`);
      }
    }
  }
}

// --------------------------------------------------------------------- report
async function versions() {
  const pkg = async (name) => {
    for (const base of [join(BENCH, 'node_modules', name), join(ROOT, 'packages/http/node_modules', name)]) {
      try {
        return JSON.parse(await readFile(join(base, 'package.json'), 'utf8')).version;
      } catch {}
    }
    return 'n/a';
  };
  const firstLine = async (cmd, args) =>
    (await run(cmd, args, { timeoutMs: 10_000 })).stdout.trim().split('\n')[0] ?? '';
  const goMod = existsSync(join(BENCH, 'contenders/go-kratos/go.mod'))
    ? await readFile(join(BENCH, 'contenders/go-kratos/go.mod'), 'utf8')
    : '';
  const cpuInfo = existsSync('/proc/cpuinfo') ? await readFile('/proc/cpuinfo', 'utf8') : '';
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGB: (totalmem() / 2 ** 30).toFixed(1),
    kernel: release(),
    node: process.version,
    go: (await firstLine('go', ['version'])).replace(/^go version /, '') || 'n/a',
    wrk: (await run('wrk', ['--version'])).stdout.split('\n')[0]?.split(' [')[0] ?? 'n/a',
    h2load: await firstLine('h2load', ['--version']),
    fastify: await pkg('fastify'),
    grpcJs: await pkg('@grpc/grpc-js'),
    protobufEs: await pkg('@bufbuild/protobuf'),
    nest: await pkg('@nestjs/core'),
    nestMicro: await pkg('@nestjs/microservices'),
    moleculer: await pkg('moleculer'),
    moleculerWeb: await pkg('moleculer-web'),
    kratosGo: /go-kratos\/kratos\/v2 (\S+)/.exec(goMod)?.[1] ?? 'n/a',
    grpcGo: /google\.golang\.org\/grpc (\S+)/.exec(goMod)?.[1] ?? 'n/a',
    commit: (await firstLine('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])) || 'n/a',
    load: [loadAtStart, loadavg()[0]],
    date: new Date().toISOString(),
  };
}

async function writeReport(v, http, grpc, stream) {
  const analysisFile = join(BENCH, 'analysis.md');
  const { markdown, httpSvg, grpcSvg } = renderReport({
    v,
    http,
    grpc,
    stream,
    client: clientResults,
    startup,
    selector: selectorTable,
    profiles,
    skipped,
    notes,
    analysis: existsSync(analysisFile) ? await readFile(analysisFile, 'utf8') : '',
    active,
    cfg: {
      quick,
      rounds: ROUNDS,
      seconds: SECONDS,
      warm: WARM,
      starts: STARTS,
      serverCpu: SERVER_CPU,
      loadCpu: LOAD_CPU,
      mode: MODE,
    },
  });
  await mkdir(OUT_DOCS, { recursive: true });
  await writeFile(join(OUT_DOCS, 'benchmarks-http.svg'), httpSvg);
  await writeFile(join(OUT_DOCS, 'benchmarks-grpc.svg'), grpcSvg);
  await writeFile(join(OUT_DOCS, 'benchmarks.md'), markdown);
  await writeFile(
    join(RESULTS, 'results.json'),
    `${JSON.stringify({ quick, versions: v, http, grpc, stream, startup: Object.fromEntries(startup), client: clientResults, selector: selectorTable, profiles, skipped: Object.fromEntries(skipped), notes, raw: Object.fromEntries(loadResults) }, null, 2)}\n`,
  );
}

// ----------------------------------------------------------------------- main
process.chdir(BENCH);
if (opts['report-only']) {
  // Re-renders the report from the last run's bench/.results/results.json (after editing
  // bench/analysis.md, say) without measuring anything again.
  const last = JSON.parse(await readFile(join(RESULTS, 'results.json'), 'utf8'));
  last.versions.date ??= (await stat(join(RESULTS, 'results.json'))).mtime.toISOString();
  last.versions.load ??= [Number.NaN, Number.NaN];
  for (const [id, rec] of Object.entries(last.startup)) startup.set(id, rec);
  for (const [id, reason] of Object.entries(last.skipped)) skipped.set(id, reason);
  for (const [id, rs] of Object.entries(last.raw)) loadResults.set(id, rs);
  Object.assign(clientResults, last.client);
  selectorTable = last.selector;
  profiles.push(...last.profiles);
  notes.push(...last.notes);
  await writeReport(last.versions, summarize('http'), summarize('grpc'), summarize('grpc-stream'));
  log(`re-rendered ${relative(ROOT, join(OUT_DOCS, 'benchmarks.md'))} from results.json`);
  process.exit(0);
}
log(
  `${quick ? 'quick' : 'full'} run: ${ROUNDS} round(s) x ${WARM}+${SECONDS} s, ${active.length} contenders, output ${relative(ROOT, OUT_DOCS) || '.'}`,
);
await prepare();
await measureStartup();
await loadRounds('http');
await loadRounds('grpc');
await loadRounds('grpc-stream');
await clientRounds();
await selectorPick();
await profiles_();
const http = summarize('http');
const grpc = summarize('grpc');
const stream = summarize('grpc-stream');
await writeReport(await versions(), http, grpc, stream);
for (const [id, reason] of skipped) if (active.some((c) => c.id === id)) log(`skipped ${id}: ${reason}`);
log(`done: ${relative(ROOT, join(OUT_DOCS, 'benchmarks.md'))}`);
