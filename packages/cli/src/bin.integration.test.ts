import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findRepoRoot } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';

// The published entry point (bin/kratos.js -> dist), as `npm install -g @kratos/cli` runs it.
// The build step of scripts/test.sh runs before the integration tests.
const repo = findRepoRoot();
const bin = resolve(repo, 'packages/cli/bin/kratos.js');
const manifest = JSON.parse(readFileSync(resolve(repo, 'packages/cli/package.json'), 'utf8'));

describe('the published kratos bin', () => {
  it('prints the package version from the built files', () => {
    const out = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(`kratos version v${manifest.version}`);
  });

  it('says which Node it needs on an old Node instead of a loader error', () => {
    const node20 = execFileSync('bash', [resolve(repo, 'scripts/node-versions.sh'), '20'], {
      encoding: 'utf8',
    }).trim();
    const r = spawnSync(node20, [bin, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^kratos: needs Node\.js >= 22\.12 \(this is v20\.\d+\.\d+\)/);
    expect(r.stderr).not.toContain('ERR_');
  }, 300_000); // the first run installs Node 20 from the npm registry
});
