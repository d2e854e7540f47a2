// The workspace's public packages (packages/* and contrib/*, not private), read from their manifests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @returns {{ name: string, version: string, dir: string, manifest: Record<string, any> }[]} */
export function publicPackages(root) {
  const out = [];
  for (const group of ['packages', 'contrib']) {
    for (const entry of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, entry, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      if (manifest.private) continue;
      out.push({ name: manifest.name, version: manifest.version, dir: join(root, group, entry), manifest });
    }
  }
  return out;
}
