import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summary } from './stats.ts';

const cli = resolve(import.meta.dirname, '../../packages/cli/src/bin/kratos.ts');
const runs = Number(process.env.RUNS ?? 7);
const samples: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'kratos-new-bench-'));
  const t0 = performance.now();
  execFileSync(process.execPath, ['--conditions=kratos-source', cli, 'new', 'demo'], {
    cwd: dir,
    stdio: 'ignore',
  });
  samples.push(performance.now() - t0);
}
console.log(summary('kratos new (whole process, offline)', samples, 3000));
