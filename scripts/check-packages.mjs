// Runs publint and "are the types wrong" over every public package (after `pnpm build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, workspacePackages } from './workspace.mjs';

const bin = (name) => `${root}node_modules/.bin/${name}`;
let failed = 0;
for (const p of workspacePackages(['packages', 'contrib'])) {
  if (p.pkg.private) continue;
  // Pack into a folder of our own (pnpm rewrites workspace: ranges as publishing would).
  const out = mkdtempSync(join(tmpdir(), 'kratos-pack-'));
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: p.dir, stdio: 'pipe' });
  const tarball = join(
    out,
    readdirSync(out).find((f) => f.endsWith('.tgz')),
  );
  for (const [tool, args] of [
    ['publint', [tarball, '--strict']],
    ['attw', [tarball, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', cwd: p.dir });
    } catch (e) {
      failed++;
      console.error(`✗ ${tool} ${p.rel}\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`);
    }
  }
  rmSync(out, { recursive: true, force: true });
  if (!failed) process.stdout.write(`✓ ${p.rel}\n`);
}
if (failed) process.exit(1);
console.log('publint and attw: all public packages pass');
