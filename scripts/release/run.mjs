// The release rehearsal of scripts/test.sh: a throwaway Verdaccio, every public package versioned and
// published to it from a copy of the workspace, then the user's side from empty folders
// (test/release/*.mjs): `npx @kratos/cli new` -> install -> generate -> start, the six-package mix
// against a real etcd, and a third-party adapter running the testkit contract suite.
//
//   node scripts/release/run.mjs [--keep] [--only scaffold,mix,adapter] [--ref <commit>]
// --ref releases another commit than HEAD. --keep leaves the copy and the user folders in place (paths printed); the registry always stops.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeInBackground } from './cleanup.mjs';
import { publishLocal, verifyPublished } from './publish-local.mjs';
import { startVerdaccio } from './verdaccio.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const onlyArg = args[args.indexOf('--only') + 1];
const only = args.includes('--only') ? new Set(onlyArg.split(',')) : undefined;
const ref = args.includes('--ref') ? args[args.indexOf('--ref') + 1] : 'HEAD';
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;

const cleanups = [];
let registry;
const stopAll = async () => {
  const { stopProcesses } = await import('../../test/release/lib.mjs');
  await stopProcesses();
  for (const c of cleanups.reverse()) await c().catch(() => {});
  if (registry) await registry.stop();
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await stopAll();
    process.exit(130);
  });
}

let failed = false;
try {
  registry = await startVerdaccio();
  const { dir, packages } = publishLocal({ root, registry: registry.url, token: registry.token, ref, keep });
  if (!keep) cleanups.push(async () => removeInBackground(dir));
  else console.log(`[release] kept the versioned copy: ${dir}`);
  await verifyPublished(registry.url, packages);
  console.log(`[release] [${elapsed()}] registry ready`);

  const ctx = { root, copy: dir, registry: registry.url, packages, keep, cleanups };
  // The three checks are independent: they run side by side (mostly waiting on npm and servers).
  const names = ['scaffold', 'mix', 'adapter'].filter((n) => !only || only.has(n));
  const results = await Promise.allSettled(
    names.map(async (name) => {
      const mod = await import(join(root, 'test/release', `${name}.mjs`));
      const t = Date.now();
      await mod.default(ctx);
      console.log(`[release] [${elapsed()}] ${name}: passed in ${Math.round((Date.now() - t) / 1000)} s`);
    }),
  );
  const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length) {
    for (const f of failures.slice(1)) console.error(f instanceof Error ? f.message : String(f));
    throw failures[0];
  }
} catch (e) {
  failed = true;
  console.error(
    e instanceof Error ? e.message + (e.cause ? ` (${e.cause.message ?? e.cause})` : '') : String(e),
  );
  if (registry) {
    // Verdaccio's start-up notices (running as root, its address) say nothing about a failure.
    const log = existsSync(registry.log)
      ? readFileSync(registry.log, 'utf8')
          .trim()
          .split('\n')
          .filter((l) => l && !/superuser privileges|--trace-warnings|http address/.test(l))
          .slice(-10)
      : [];
    if (log.length) console.error(`[release] the registry's last log lines:\n${log.join('\n')}`);
  }
} finally {
  await stopAll();
}
if (failed) {
  console.error(`[release] FAILED after ${elapsed()}`);
  process.exit(1);
}
console.log(`[release] passed in ${elapsed()}`);
