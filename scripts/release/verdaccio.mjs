// A throwaway npm registry: Verdaccio 6.8.0 (installed once into the cache, never into the clone) on a
// free 127.0.0.1 port. @kratos/* packages live only in a fresh storage folder (published to, never
// proxied); everything else is proxied from the registry `npm config get registry` names, and kept in
// a cache folder outside the clone so warm runs do not fetch third-party packages again.
//
//   node scripts/release/verdaccio.mjs        starts one, prints {"url","pid","storage","log"} and
//                                             waits; Ctrl-C (or SIGTERM) stops it and removes the storage.
//   import { startVerdaccio } from './verdaccio.mjs'; const r = await startVerdaccio(); ... await r.stop();
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const VERDACCIO_VERSION = '6.8.0';
export const cacheDir = process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts');
const installDir = join(cacheDir, `verdaccio-${VERDACCIO_VERSION}`);
const bin = join(installDir, 'node_modules/verdaccio/bin/verdaccio');

const log = (msg) => process.stderr.write(`[verdaccio] ${msg}\n`);

/** Installs Verdaccio into the cache once (npm, from the configured registry). */
export function installVerdaccio() {
  if (existsSync(bin)) return bin;
  log(`installing verdaccio@${VERDACCIO_VERSION} into ${installDir}`);
  mkdirSync(installDir, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      installDir,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `verdaccio@${VERDACCIO_VERSION}`,
    ],
    { cwd: installDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!existsSync(bin)) throw new Error(`[verdaccio] error: npm install did not produce ${bin}`);
  return bin;
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

/** The registry third-party packages come from: `npm config get registry`, outside any project. */
export function upstreamRegistry() {
  return execFileSync('npm', ['config', 'get', 'registry'], { cwd: tmpdir(), encoding: 'utf8' }).trim();
}

function config({ storage, port, upstream }) {
  // YAML is a superset of JSON: no YAML library needed.
  return JSON.stringify(
    {
      storage,
      // A throwaway user: sha1 instead of bcrypt, so no request waits ~0.3 s on a password check.
      auth: { htpasswd: { file: join(storage, 'htpasswd'), max_users: 10, algorithm: 'sha1' } },
      uplinks: {
        // Metadata fetched once is trusted for 12 h (the cache outlives a run).
        upstream: { url: upstream, maxage: '12h', timeout: '60s', max_fails: 5, fail_timeout: '1m' },
      },
      packages: {
        // Ours come only from what a run publishes: never proxied, so a name on the public registry
        // cannot stand in for a package we forgot to publish.
        '@kratos/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
        '**': { access: '$all', publish: '$authenticated', proxy: 'upstream', storage: 'uplinks' },
      },
      listen: `127.0.0.1:${port}`,
      web: { enable: false },
      max_body_size: '200mb',
      server: { keepAliveTimeout: 60 },
      middlewares: { audit: { enabled: false } },
      log: { type: 'stdout', format: 'pretty', level: 'warn' },
    },
    null,
    2,
  );
}

async function waitUntilUp(url, child, logFile, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}-/ping`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  throw new Error(`[verdaccio] error: did not answer ${url}-/ping within ${timeoutMs / 1000} s\n${tail}`);
}

/** Creates a user and returns its token (what `npm adduser` does). */
async function addUser(url) {
  const r = await fetch(`${url}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-local-only' }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.token)
    throw new Error(`[verdaccio] error: adduser answered ${r.status} ${JSON.stringify(body)}`);
  return body.token;
}

/**
 * Starts Verdaccio. Returns { url, port, pid, storage, log, token, npmrc, stop }: `npmrc` is a user
 * config file (registry + token) for npm/pnpm; `stop()` ends the process and removes the storage.
 */
export async function startVerdaccio() {
  installVerdaccio();
  const upstream = upstreamRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'kratos-verdaccio-'));
  const storage = join(dir, 'storage');
  mkdirSync(storage);
  const uplinkCache = join(cacheDir, 'verdaccio-uplinks');
  mkdirSync(uplinkCache, { recursive: true });
  symlinkSync(uplinkCache, join(storage, 'uplinks'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, config({ storage, port, upstream }));
  const logFile = join(dir, 'verdaccio.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [bin, '--config', cfg, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  // One stop however often it is called; every caller waits for the same end.
  let stopping;
  const stop = () => (stopping ??= terminate());
  const terminate = async () => {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, logFile);
    const token = await addUser(url);
    const npmrc = join(dir, 'npmrc');
    const hostPath = url.replace(/^http:/, '');
    writeFileSync(npmrc, `registry=${url}\n${hostPath}:_authToken=${token}\n`);
    log(`up at ${url} (pid ${child.pid}, uplink ${upstream}, storage ${storage})`);
    return { url, port, pid: child.pid, storage, log: logFile, token, npmrc, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await startVerdaccio();
  process.stdout.write(
    `${JSON.stringify({ url: r.url, pid: r.pid, storage: r.storage, log: r.log, npmrc: r.npmrc })}\n`,
  );
  const bye = async () => {
    await r.stop();
    process.exit(0);
  };
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
  setInterval(() => {}, 1 << 30);
}
