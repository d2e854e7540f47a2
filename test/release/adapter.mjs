// From the registry, in an empty folder: a third party's registry adapter (fixtures/registry-adapter,
// a folder-of-JSON-files registry) depending on the published @kratos/core and @kratos/testkit
// installs with `npm install` and passes testkit's registry contract suite with its own `npm test`
// (tsc --noEmit against the published types, then vitest).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyFolder, run, say, sh, userEnv } from './lib.mjs';

export default async function adapter(ctx) {
  const scope = 'adapter';
  const dir = emptyFolder(ctx, scope);
  const env = userEnv(ctx.registry, dir);
  const app = join(dir, 'kratos-registry-folder');
  cpSync(join(ctx.root, 'test/release/fixtures/registry-adapter'), app, { recursive: true });
  // The adapter asks for the versions being released (a third party writes ^<current release>).
  const file = join(app, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const versions = new Map(ctx.packages.map((p) => [p.name, p.version]));
  for (const field of ['peerDependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (name.startsWith('@kratos/')) manifest[field][name] = `^${versions.get(name)}`;
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);

  await sh(scope, app, env, 'npm', ['install']);
  const testEnv = { ...env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
  const out = await sh(scope, app, testEnv, 'npm', ['test'], { timeoutMs: 300_000 });
  const passed = out.match(/Tests\s+(\d+) passed/);
  if (!passed || /\d+ (failed|skipped)/.test(out)) {
    throw new Error(
      `${out.slice(-1500)}\n[release] [${scope}] error: npm test did not report every contract test passed`,
    );
  }
  say(scope, `contract suite: ${passed[1]} tests passed`);

  // The same suite over an adapter whose deregister does nothing must fail.
  const r = await run(app, { ...testEnv, BREAK_DEREGISTER: '1' }, 'npx', ['vitest', 'run']);
  const failed = r.output.match(/Tests\s+(\d+) failed/);
  if (r.status === 0 || !failed) {
    throw new Error(
      `[release] [${scope}] error: the contract suite passed over an adapter whose deregister does nothing`,
    );
  }
  say(scope, `with deregister broken: ${failed[1]} contract tests fail, as they must`);
}
