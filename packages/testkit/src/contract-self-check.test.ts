import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uniqueName } from './index.ts';

// The suites are only worth something if they fail broken adapters. fixtures/ holds adapters
// with one bug each; this runs them in a child vitest and checks exactly which cases fail.
const here = dirname(fileURLToPath(import.meta.url));
const config = join(here, '..', 'fixtures', 'vitest.config.ts');
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface JsonReport {
  numTotalTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

async function runFixtures(): Promise<JsonReport> {
  const out = join(tmpdir(), `${uniqueName('kt-self-check')}.json`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  await new Promise<void>((resolve) => {
    // Failing cases make vitest exit 1; that is the point, so the exit code is not checked.
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', config, '--reporter=json', `--outputFile=${out}`],
      { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      () => resolve(),
    );
  });
  try {
    return JSON.parse(await readFile(out, 'utf8')) as JsonReport;
  } finally {
    await rm(out, { force: true });
  }
}

describe('contract suites against broken adapters', () => {
  it('fail exactly the cases that name each bug, and pass a correct adapter', async () => {
    const report = await runFixtures();
    const failed = report.testResults
      .flatMap((f) => f.assertionResults)
      .filter((a) => a.status !== 'passed')
      .map((a) => a.fullName)
      .sort();
    const samples = [0, 1, 2, 3, 4, 5].map(
      (i) =>
        `codec contract: json sample ${i} round-trips from a Node Buffer and from a view into a larger buffer`,
    );
    expect(failed).toEqual(
      [
        'registry contract: noValidation bad input rejects register without an id',
        'registry contract: noValidation bad input rejects register without a name',
        'registry contract: aliasing getService hands out copies: changing a returned instance does not change the registry',
        'registry contract: prefixMatch getService keeps services apart, also when one name is a prefix of the other',
        'registry contract: prefixMatch watch shows a watcher only its own service',
        'registry contract: appendOnRegister getService replaces an instance registered again with the same id, never duplicates it',
        'registry contract: noEmptySet watch sees registrations and deregistrations in order',
        'registry contract: stopIgnored watch ends a for-await loop when stopped',
        'registry contract: stopIgnored watch resolves a pending next() as done when stopped, and stays done',
        'registry contract: deafAfterRestart server restart follows changes made after the server restarts',
        'config source contract: sharedBytes load hands out copies: changing loaded bytes does not change the next load',
        'config source contract: deltaWatch watch yields the full set after every set and delete',
        'config source contract: deltaWatch watch brings every watcher to the same set',
        'config source contract: deltaWatch watch keeps other watchers working when one stops',
        ...samples,
        'codec contract: json rejects "{" with an Error',
        'codec contract: json rejects "nope" with an Error',
      ].sort(),
    );
    // Every suite ran: the correct registry's cases are all in the report and passed.
    const correct = report.testResults
      .flatMap((f) => f.assertionResults)
      .filter((a) => a.fullName.startsWith('registry contract: correct '));
    expect(correct.length).toBeGreaterThan(15);
    expect(correct.every((a) => a.status === 'passed')).toBe(true);
  }, 120_000);
});
