import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '@kratos/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Output } from './index.ts';

// Each generated package runs its own `npm test` (vitest) against this checkout's @kratos/core and
// @kratos/testkit (linked as npm would install them), and one tsc run type-checks all four.
const repo = findRepoRoot();
const quiet: Output = { out: () => {}, err: () => {} };

function linkModules(pkg: string): void {
  const nm = join(pkg, 'node_modules');
  mkdirSync(join(nm, '@kratos'), { recursive: true });
  mkdirSync(join(nm, '@types'), { recursive: true });
  symlinkSync(join(repo, 'packages', 'core'), join(nm, '@kratos', 'core'), 'dir');
  symlinkSync(join(repo, 'packages', 'testkit'), join(nm, '@kratos', 'testkit'), 'dir');
  for (const dep of ['vitest', 'typescript', '@types/node'])
    symlinkSync(realpathSync(join(repo, 'node_modules', dep)), join(nm, dep), 'dir');
}

/** `npm test -- --reporter=verbose` of the package: its `test` script (vitest run) with this Node. */
function npmTest(pkg: string): { status: number | null; output: string } {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(manifest.scripts.test).toBe('vitest run');
  const r = spawnSync(
    process.execPath,
    [join(pkg, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose'],
    {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const passed = (output: string) => Number(/Tests\s+(\d+) passed/.exec(output)?.[1] ?? 0);

describe('kratos new --adapter: the laid-out package passes its own npm test', { timeout: 180_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'kratos-adapter-'));
  const packages: Record<string, string> = {};
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const create = async (kind: string) => {
    expect(await main(['new', '--adapter', `${kind}-acme-store`, '--link', repo], quiet, root)).toBe(0);
    const pkg = join(root, `kratos-${kind}-acme-store`);
    linkModules(pkg);
    packages[kind] = pkg;
    return pkg;
  };

  it('registry: the registry contract suite passes, and fails once register stops checking its input', async () => {
    const pkg = await create('registry');
    const ok = npmTest(pkg);
    expect(ok.output).toContain('registry contract: acme-store');
    expect(ok.status, ok.output).toBe(0);
    expect(passed(ok.output)).toBeGreaterThanOrEqual(20);
    // The suite is the real one: a stub whose register takes an instance without an id fails it.
    const file = join(pkg, 'src', 'acme-store-registry.ts');
    const source = readFileSync(file, 'utf8');
    const broken = source.replace(
      'async register(instance) {\n      check(instance);',
      'async register(instance) {',
    );
    expect(broken).not.toBe(source);
    writeFileSync(file, broken);
    const bad = npmTest(pkg);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/Tests\s+\d+ failed/);
    expect(bad.output).toMatch(/× .*rejects register without an id/);
    writeFileSync(file, source);
  });

  it('config: the config source contract suite passes', async () => {
    const r = npmTest(await create('config'));
    expect(r.output).toContain('config source contract: acme-store');
    expect(r.status, r.output).toBe(0);
    expect(passed(r.output)).toBeGreaterThanOrEqual(8);
  });

  it('codec: the codec contract suite passes', async () => {
    const r = npmTest(await create('codec'));
    expect(r.status, r.output).toBe(0);
    expect(passed(r.output)).toBeGreaterThanOrEqual(10);
  });

  it('logger: the logger contract suite passes', async () => {
    const r = npmTest(await create('logger'));
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('logger contract: acme-store');
    expect(passed(r.output)).toBeGreaterThanOrEqual(10);
  });

  it('all four type-check under their strict tsconfig', () => {
    expect(Object.keys(packages).sort()).toEqual(['codec', 'config', 'logger', 'registry']);
    // One tsc run over the four packages' sources, with the options of their tsconfig.json.
    const config = join(packages.registry!, 'tsconfig.all.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { rootDir: '..' },
        include: Object.values(packages).map((p) => join(p, 'src')),
      }),
    );
    const tsc = join(packages.registry!, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
