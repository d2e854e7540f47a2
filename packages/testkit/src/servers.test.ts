import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepoRoot, parseServerInfo, startServer } from './index.ts';

// A stand-in repository whose scripts/servers/ follow the real scripts' interface, with a tiny
// node:http "server" that remembers its port and counts its starts in the data directory.
const serverJs = `
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const [port, dir] = process.argv.slice(2);
const startsFile = dir + '/starts';
const starts = (existsSync(startsFile) ? Number(readFileSync(startsFile, 'utf8')) : 0) + 1;
writeFileSync(startsFile, String(starts));
const server = createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, starts })));
server.listen(Number(port), '127.0.0.1', () => {
  writeFileSync(dir + '/.port', String(server.address().port));
  writeFileSync(dir + '/.ready-' + process.pid, 'ok');
});
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
`;
const startSh = `#!/usr/bin/env bash
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"; shift
dir=""; port=""
while [ $# -gt 0 ]; do
  case "$1" in --data-dir) dir="$2"; shift 2 ;; --port) port="$2"; shift 2 ;; *) echo "bad arg $1" >&2; exit 2 ;; esac
done
[ "$name" = fake ] || { echo "[start] error: unknown server '$name'" >&2; exit 2; }
# BUSY=<file>: the first start loses the race for its port, as a real server's bind can.
if [ -n "\${BUSY:-}" ] && [ ! -f "$BUSY" ]; then
  echo lost > "$BUSY"; echo "[fake] error: listen tcp 127.0.0.1:1: bind: address already in use" >&2; exit 1
fi
[ -n "$dir" ] || dir="$(mktemp -d)"
[ -n "$port" ] || port="$(cat "$dir/.port" 2>/dev/null || echo 0)"
echo "[fake] starting on port $port" >&2
echo "some progress output"
setsid "$NODE" "$here/server.mjs" "$port" "$dir" >"$dir/log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 200); do [ -f "$dir/.ready-$pid" ] && break; sleep 0.05; done
[ -f "$dir/.ready-$pid" ] || { echo "[fake] error: not ready" >&2; exit 1; }
printf '{"name":"fake","pid":%d,"endpoints":{"http":"http://127.0.0.1:%s"},"dataDir":"%s","log":"%s"}\\n' \\
  "$pid" "$(cat "$dir/.port")" "$dir" "$dir/log"
`;
const stopSh = `#!/usr/bin/env bash
set -euo pipefail
pid="$1"
kill -0 "$pid" 2>/dev/null || exit 0
kill -TERM "$pid"
for _ in $(seq 1 100); do
  case "$(ps -o stat= -p "$pid" 2>/dev/null || true)" in Z*|'') exit 0 ;; esac
  sleep 0.05
done
kill -KILL "$pid" 2>/dev/null || true
`;

describe('startServer', () => {
  let root: string;
  const env = { NODE: process.execPath };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kt-servers-'));
    await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const dir = join(root, 'scripts', 'servers');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'server.mjs'), serverJs);
    await writeFile(join(dir, 'start.sh'), startSh);
    await writeFile(join(dir, 'stop.sh'), stopSh);
    await chmod(join(dir, 'start.sh'), 0o755);
    await chmod(join(dir, 'stop.sh'), 0o755);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const get = async (url: string) => (await (await fetch(url)).json()) as { pid: number; starts: number };

  it('starts, restarts on the same port and data dir, and stops', async () => {
    const server = await startServer('fake', { root, env });
    try {
      expect(server.name).toBe('fake');
      const url = server.endpoints.http as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.log).toBe(join(server.dataDir, 'log'));
      expect(await get(url)).toEqual({ pid: server.pid, starts: 1 });

      const firstPid = server.pid;
      const same = await server.restart();
      expect(same).toBe(server);
      expect(server.pid).not.toBe(firstPid);
      expect(server.endpoints.http).toBe(url);
      expect(await get(url)).toEqual({ pid: server.pid, starts: 2 });
    } finally {
      await server.stop();
    }
    await expect(fetch(server.endpoints.http as string)).rejects.toThrow();
    await server.stop();
  });

  it('passes --data-dir and --port through', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kt-data-'));
    const first = await startServer('fake', { root, env, dataDir });
    const port = Number(new URL(first.endpoints.http as string).port);
    await first.stop();
    const server = await startServer('fake', { root, env, dataDir, port });
    try {
      expect(server.dataDir).toBe(dataDir);
      expect(server.endpoints.http).toBe(`http://127.0.0.1:${port}`);
      expect((await get(server.endpoints.http as string)).starts).toBe(2);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('starts again when the port the script picked was taken before the server bound it', async () => {
    const busy = join(root, `busy-${Date.now()}`);
    const server = await startServer('fake', { root, env: { ...env, BUSY: busy } });
    try {
      expect(await readFile(busy, 'utf8')).toBe('lost\n');
      expect((await get(server.endpoints.http as string)).pid).toBe(server.pid);
    } finally {
      await server.stop();
    }
    // A port the caller chose is the caller's: no second try.
    const mine = join(root, `busy-mine-${Date.now()}`);
    await expect(startServer('fake', { root, env: { ...env, BUSY: mine }, port: 0 })).rejects.toThrow(
      /address already in use/,
    );
  });

  it('rejects with the script error output when the server cannot start', async () => {
    await expect(startServer('nope', { root, env })).rejects.toThrow(/unknown server 'nope'/);
  });
});

describe('findRepoRoot', () => {
  it('walks up to the folder holding pnpm-workspace.yaml', () => {
    const root = findRepoRoot();
    expect(findRepoRoot(join(root, 'packages', 'testkit', 'src'))).toBe(root);
  });

  it('throws when there is none', () => {
    expect(() => findRepoRoot('/')).toThrow(/no pnpm-workspace.yaml/);
  });
});

describe('parseServerInfo', () => {
  it('takes the JSON line among other output', () => {
    const out =
      'downloading...\n{"not":"it"}\n{"name":"etcd","pid":12,"endpoints":{"client":"http://127.0.0.1:2379"},"dataDir":"/d","log":"/d/log"}\n';
    expect(parseServerInfo(out)).toEqual({
      name: 'etcd',
      pid: 12,
      endpoints: { client: 'http://127.0.0.1:2379' },
      dataDir: '/d',
      log: '/d/log',
    });
  });

  it('throws when no line has a pid', () => {
    expect(() => parseServerInfo('ready\n{"name":"x"}\n')).toThrow(/no JSON line with a pid/);
  });
});
