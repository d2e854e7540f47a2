import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findRepoRoot, freePort, waitFor } from '@kratos/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const repo = findRepoRoot();
const cli = resolve(repo, 'packages/cli/src/bin/kratos.ts');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function startLogged(cmd: string, args: string[], cwd: string) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log };
}

describe('kratos new -> the printed commands -> a serving service', () => {
  it('creates, installs against the workspace packages, generates, starts and answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kratos-e2e-'));
    const out = execFileSync(
      process.execPath,
      ['--conditions=kratos-source', cli, 'new', 'demo', '--link', repo],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(out).toContain('$ npm run generate');
    const app = join(dir, 'demo');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const config = readFileSync(join(app, 'configs/config.yaml'), 'utf8')
      .replace('0.0.0.0:8000', `127.0.0.1:${httpPort}`)
      .replace('0.0.0.0:9000', `127.0.0.1:${grpcPort}`);
    writeFileSync(join(app, 'configs/config.yaml'), config);

    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      stdio: 'pipe',
    });
    execFileSync('npm', ['run', 'generate'], { cwd: app, stdio: 'pipe' });
    expect(readFileSync(join(app, 'api/demo/v1/greeter_http.js'), 'utf8')).toContain(
      '/demo.v1.Greeter/SayHello',
    );

    // `kratos run` runs cmd/demo/main.ts and restarts it when a watched file changes.
    const run = startLogged(process.execPath, ['--conditions=kratos-source', cli, 'run'], app);
    await waitFor(() => run.log().includes('[HTTP] server listening'), {
      timeout: 30_000,
      message: 'kratos run did not start the service',
    });
    const hello = await fetch(`http://127.0.0.1:${httpPort}/demo/kratos`);
    expect(await hello.json()).toEqual({ message: 'Hello kratos' });
    const missing = await fetch(`http://127.0.0.1:${httpPort}/demo/unknown`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { reason: string }).reason).toBe('USER_NOT_FOUND');

    writeFileSync(join(app, 'configs/config.yaml'), config.replace('greeting: Hello', 'greeting: Hi'));
    await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${httpPort}/demo/kratos`).catch(() => undefined);
        return r?.ok ? ((await r.json()) as { message: string }).message === 'Hi kratos' : false;
      },
      { timeout: 30_000, interval: 200, message: 'kratos run did not restart on a config change' },
    );
    run.child.kill('SIGTERM');
    await new Promise((r) => run.child.on('exit', r));
  }, 180_000);
});
