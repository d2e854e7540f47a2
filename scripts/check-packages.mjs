// Runs publint and "are the types wrong" over every public package (after `pnpm build`).
import { execFileSync } from 'node:child_process';
import { workspacePackages, root } from './workspace.mjs';

const bin = (name) => `${root}node_modules/.bin/${name}`;
let failed = 0;
for (const p of workspacePackages(['packages', 'contrib'])) {
  if (p.pkg.private) continue;
  for (const [tool, args] of [
    ['publint', [p.dir, '--strict']],
    ['attw', ['--pack', p.dir, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', cwd: p.dir });
    } catch (e) {
      failed++;
      console.error(`✗ ${tool} ${p.rel}\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`);
    }
  }
  if (!failed) process.stdout.write(`✓ ${p.rel}\n`);
}
if (failed) process.exit(1);
console.log('publint and attw: all public packages pass');
