// Helpers of the release rehearsal's user-side checks: a user's environment (npm pointed at the
// local registry, nothing from the workspace), commands with one-line failures, long-running
// processes stopped by process group, and polling for a state.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeInBackground } from '../../scripts/release/cleanup.mjs';

const cacheDir = process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts');
/** npm's cache for the rehearsal: outside the clone, kept between runs (tarballs by integrity). */
export const npmCache = join(cacheDir, 'npm-release');

export const say = (scope, msg) => console.log(`[release] [${scope}] ${msg}`);

/**
 * The environment of a user whose npm points at `registry`: a user config of its own (not ~/.npmrc),
 * the kept cache, npx answering yes as a user at a prompt would; no npm_config_* of the caller and
 * no NODE_OPTIONS (nothing of the workspace leaks in).
 */
export function userEnv(registry, home) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|NODE_PATH$|PNPM_|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  const userconfig = join(home, '.npmrc');
  writeFileSync(userconfig, `registry=${registry}\n`);
  mkdirSync(npmCache, { recursive: true });
  return {
    ...env,
    npm_config_userconfig: userconfig,
    npm_config_cache: npmCache,
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_prefer_offline: 'true',
  };
}

/** An empty folder for one check (removed at the end unless ctx.keep). */
export function emptyFolder(ctx, name) {
  const dir = mkdtempSync(join(tmpdir(), `kratos-user-${name}-`));
  if (ctx.keep) say(name, `folder kept: ${dir}`);
  else ctx.cleanups.push(async () => removeInBackground(dir));
  return dir;
}

/** Runs a command to its end: { status, signal, output } (stdout and stderr interleaved), never throws. */
export function run(cwd, env, cmd, args, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, output: `${output}\n${e.message}` });
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output });
    });
  });
}

/** Runs a command the user would type; fails with its output's tail and one line naming it. */
export async function sh(scope, cwd, env, cmd, args, { timeoutMs = 300_000 } = {}) {
  const line = `${cmd} ${args.join(' ')}`;
  const t = Date.now();
  const r = await run(cwd, env, cmd, args, { timeoutMs });
  if (r.status !== 0) {
    const tail = r.output.trim().split('\n').slice(-25).join('\n');
    const why = r.signal
      ? `killed by ${r.signal}${r.signal === 'SIGKILL' ? ` after ${timeoutMs / 1000} s` : ''}`
      : `exit ${r.status}`;
    throw new Error(`${tail}\n[release] [${scope}] error: \`${line}\` in ${cwd} failed (${why})`);
  }
  say(scope, `$ ${line}  (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return r.output;
}

const running = new Set();
/** Stops every process startProcess started that is still running (an interrupted run). */
export async function stopProcesses() {
  await Promise.all([...running].map((stop) => stop()));
}

/** Starts a long-running command in its own process group; `stop()` ends the whole group. */
export function startProcess(cwd, env, cmd, args) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  // One SIGTERM however often stop() is called (a second one makes a Kratos App force its exit).
  let stopping;
  const stop = () => (stopping ??= terminate());
  const terminate = async () => {
    running.delete(stop);
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  running.add(stop);
  return { child, output: () => output, exited, stop };
}

/** Polls `check` (truthy result wins) until `timeoutMs`; fails with `message`. */
export async function waitFor(check, { timeoutMs = 60_000, interval = 250, message, alive } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (alive && !alive()) break;
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`${message}${last ? ` (last error: ${last.message ?? last})` : ''}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A protobuf message with one string field 1 (HelloRequest, HelloReply), encoded by hand. */
export function encodeString1(text) {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 127) throw new Error('encodeString1: short strings only');
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}
export function decodeString1(buf) {
  if (buf.length === 0) return '';
  if (buf[0] !== 0x0a || buf[1] > 127) throw new Error(`unexpected reply bytes ${buf.toString('hex')}`);
  return buf.subarray(2, 2 + buf[1]).toString('utf8');
}

/** Calls a unary gRPC method with raw bytes through the user's own @grpc/grpc-js. */
export function grpcUnary(grpc, address, method, request) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method,
      (b) => b,
      (b) => b,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, reply) => {
        client.close();
        if (err) reject(err);
        else resolve(reply);
      },
    );
  });
}

/**
 * The commands of the root README's `## Install` section: its first `sh` block (create a service)
 * and its second (install packages by name), one command per line, comments dropped. The checks
 * run exactly these, so the README cannot drift from what is tested.
 */
export function readmeInstall(readmeText) {
  const start = readmeText.search(/^## Install\s*$/m);
  if (start < 0) throw new Error('[release] error: README.md has no "## Install" section');
  const rest = readmeText.slice(start + 1);
  const next = rest.search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  if (blocks.length !== 2) {
    throw new Error(
      `[release] error: README.md's Install section has ${blocks.length} sh blocks, the checks expect 2 (new service; npm install of packages)`,
    );
  }
  return { scaffold: blocks[0], mix: blocks[1] };
}
