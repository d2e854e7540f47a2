// Lists the workspace's packages (folder, manifest) for the check, docs and release scripts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

/** Every package under `groups` of the workspace at `base` (this checkout by default), sorted by folder. */
export function workspacePackages(groups = ['packages', 'contrib'], base = root) {
  const out = [];
  for (const group of groups) {
    const dir = join(base, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const manifest = join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      out.push({
        group,
        dir: join(dir, name),
        rel: `${group}/${name}`,
        pkg: JSON.parse(readFileSync(manifest, 'utf8')),
      });
    }
  }
  return out;
}

/** The packages a release publishes (packages/* and contrib/*, not private). */
export function publicPackages(base = root) {
  return workspacePackages(['packages', 'contrib'], base)
    .filter((p) => !p.pkg.private)
    .map((p) => ({ name: p.pkg.name, version: p.pkg.version, dir: p.dir, manifest: p.pkg }));
}
