// Part of the version step of a release (after `changeset version`): the `kratos new` template names
// @kratos/* packages by range, and a range written for the last release (^0.1.0) does not accept the
// next minor of a 0.x package (0.2.0), so new services would fail to install. This rewrites each
// @kratos/* range in packages/cli/template/package.json to ^<the workspace's version of it>.
//
//   node scripts/release/sync-template.mjs [root]           rewrite (prints what changed)
//   node scripts/release/sync-template.mjs [root] --check   exit 1 naming each stale range
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { publicPackages } from './workspace-packages.mjs';

export function syncTemplate(root, { check = false } = {}) {
  const versions = new Map(publicPackages(root).map((p) => [p.name, p.version]));
  const file = join(root, 'packages/cli/template/package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const changes = [];
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!name.startsWith('@kratos/')) continue;
      const version = versions.get(name);
      if (!version)
        throw new Error(
          `[release] error: the template depends on ${name}, which is not a public workspace package`,
        );
      const want = `^${version}`;
      if (range !== want) {
        changes.push(`${name} ${range} -> ${want}`);
        manifest[field][name] = want;
      }
    }
  }
  if (!check && changes.length) writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return changes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const root = resolve(args.find((a) => !a.startsWith('--')) ?? '.');
  const changes = syncTemplate(root, { check });
  for (const c of changes) console.log(`[release] template ${check ? 'stale' : 'now'}: ${c}`);
  if (check && changes.length) {
    console.error(
      "[release] error: packages/cli/template/package.json names versions that are not the workspace's (run node scripts/release/sync-template.mjs)",
    );
    process.exit(1);
  }
}
