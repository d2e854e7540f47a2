// Lists the workspace's packages (folder, manifest) for the check scripts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

export function workspacePackages(groups = ['packages', 'contrib']) {
  const out = [];
  for (const group of groups) {
    const dir = join(root, group);
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
