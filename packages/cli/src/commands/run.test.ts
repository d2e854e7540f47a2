import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, type Output } from '../errors.ts';
import { conditionsOf, run, workersEnv } from './run.ts';

const quiet: Output = { out() {}, err() {} };

describe('kratos run --workers', () => {
  it('hands the worker count to the service as KRATOS_WORKERS (what runCluster reads)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kratos-run-'));
    mkdirSync(join(dir, 'cmd', 'svc'), { recursive: true });
    // The service writes what it got, then ends the watcher it runs under (--watch never exits).
    writeFileSync(
      join(dir, 'cmd', 'svc', 'main.js'),
      `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(join(dir, 'got'))}, String(process.env.KRATOS_WORKERS));
process.kill(process.ppid, 'SIGTERM');
`,
    );
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const lines: string[] = [];
    const code = await run({ cwd: dir, extra: [], workers: '3' }, { out: (l) => lines.push(l), err() {} });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'got'), 'utf8')).toBe('3');
    expect(lines.join('\n')).toContain('on 3 workers');
  });

  it('accepts a positive integer or auto, and refuses anything else with a usage error', () => {
    expect(workersEnv(undefined)).toEqual({});
    expect(workersEnv('2')).toEqual({ KRATOS_WORKERS: '2' });
    expect(workersEnv('auto')).toEqual({ KRATOS_WORKERS: 'auto' });
    for (const bad of ['0', '-1', '1.5', 'two', '']) {
      expect(() => workersEnv(bad)).toThrow(CliError);
      expect(() => workersEnv(bad)).toThrow(/--workers wants a positive integer or "auto"/);
    }
    expect(() => run({ cwd: tmpdir(), extra: [], workers: 'x' }, quiet)).toThrow(/--workers/);
  });
});

describe('kratos run: node flags passed on', () => {
  it('keeps --conditions in both spellings with their values, and nothing else', () => {
    expect(
      conditionsOf([
        '--conditions',
        'kratos-source',
        '--inspect',
        '-C',
        'dev',
        '--conditions=x',
        '--no-warnings',
      ]),
    ).toEqual(['--conditions', 'kratos-source', '-C', 'dev', '--conditions=x']);
    expect(conditionsOf(['--conditions'])).toEqual([]);
  });
});
