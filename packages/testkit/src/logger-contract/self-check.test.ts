import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../unique-name.ts';

// The logger suite is only worth something if it fails broken loggers: fixtures/logger/ holds loggers
// with one bug each; this runs them in a child vitest and checks exactly which cases fail.
const here = dirname(fileURLToPath(import.meta.url));
const config = join(here, '..', '..', 'fixtures', 'logger', 'vitest.config.ts');
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface JsonReport {
  numTotalTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

async function runFixtures(): Promise<JsonReport> {
  const out = join(tmpdir(), `${uniqueName('kt-logger-self-check')}.json`);
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

const LEVELS = 'made with a level: drops the lines below it, and enabled() says so';

describe('logger contract against broken loggers', () => {
  it('fails exactly the cases that name each bug, and passes a correct logger', {
    timeout: 150_000,
  }, async () => {
    const report = await runFixtures();
    const failed = report.testResults
      .flatMap((f) => f.assertionResults)
      .filter((a) => a.status !== 'passed')
      .map((a) => a.fullName)
      .sort();
    expect(failed).toEqual(
      [
        'logger contract: allInfo writes a line at each level, as that level, with its key/values',
        `logger contract: allInfo ${LEVELS}`,
        'logger contract: firstKeyWins a repeated key keeps its last value; an odd trailing key gets KEYVALS UNPAIRED',
        'logger contract: dropsUnpaired a repeated key keeps its last value; an odd trailing key gets KEYVALS UNPAIRED',
        `logger contract: noEnabled ${LEVELS}`,
        'logger contract: valuersOnce computes valuers per line, with the context of the running call (withFields and a native with())',
        'logger contract: throwsOnCycle logs an Error as its message and survives a value that cannot be serialized',
        // lines written in reverse: the level case sees fatal, error, warn
        `logger contract: reorders ${LEVELS}`,
        'logger contract: reorders has every line, in the order logged, once flushed',
      ].sort(),
    );
    // 8 loggers x 9 cases
    expect(report.numTotalTests).toBe(72);
  });
});
