// The API docs page of examples/helloworld in a real browser: the example runs as a user starts it,
// Debian's chromium (driven by playwright-core) opens /q/docs (swagger-ui, served by @kratos/http
// from the swagger-ui-dist package), finds the Greeter operation, and "Try it out" calls the
// service and shows the greeting. A screenshot is kept in $KRATOS_CACHE/logs/docs-page/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@kratos/testkit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const example = new URL('../../examples/helloworld/', import.meta.url).pathname;
const outDir = join(process.env.KRATOS_CACHE ?? join(homedir(), '.cache/kratos-ts'), 'logs/docs-page');

let child: ChildProcess;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (scripts/servers/install-debian.sh)`);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const confDir = mkdtempSync(join(tmpdir(), 'docs-page-conf-'));
  writeFileSync(
    join(confDir, 'config.yaml'),
    `server:\n  http:\n    addr: 127.0.0.1:${httpPort}\n    timeout: 5s\n  grpc:\n    addr: 127.0.0.1:${grpcPort}\n    timeout: 5s\ndata:\n  greeting: Hello\n`,
  );
  child = spawn(
    process.execPath,
    ['--conditions=kratos-source', join(example, 'cmd/helloworld/main.ts'), '-conf', confDir],
    { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor(() => output.includes('[HTTP] server listening'), {
    timeout: 30_000,
    message: `the example did not start listening:\n${output}`,
  });
  base = `http://127.0.0.1:${httpPort}`;
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('the API docs page of examples/helloworld in chromium', () => {
  it('lists the Greeter operation, and "Try it out" calls the service and shows the greeting', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/q/docs`);
    const op = page.locator('.opblock-get', { hasText: '/helloworld/{name}' });
    await op.waitFor({ timeout: 20_000 });
    expect(await page.locator('.title').first().textContent()).toContain('Greeter API');

    await op.locator('.opblock-summary').first().click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.locator('input[placeholder="name"]').fill('chromium');
    await op.getByRole('button', { name: 'Execute' }).click();
    const body = op.locator('.live-responses-table .response-col_description pre').first();
    await body.waitFor({ timeout: 20_000 });
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'docs-page.png'), fullPage: true });
    expect(JSON.parse((await body.textContent()) ?? '')).toEqual({ message: 'Hello chromium' });
    expect(
      await op.locator('.live-responses-table tr.response .response-col_status').first().textContent(),
    ).toContain('200');

    // Everything the page loaded came from the service itself: no CDN.
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    expect(requests).toContain(`${base}/helloworld/chromium`);
    await page.close();
  });
});
