// CI (`.ci/run`) must run exactly the command README.md gives for the whole test suite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The first line of the first ```sh block after the "Run the whole test suite" paragraph. */
function readmeTestCommand(): string | undefined {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const from = readme.indexOf('Run the whole test suite');
  if (from === -1) return undefined;
  return /```sh\n([^\n]+)\n/.exec(readme.slice(from))?.[1]?.trim();
}

/** The command `.ci/run` ends by running (its last line, `exec` or not). */
function ciCommand(): string | undefined {
  const lines = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .trim()
    .split('\n');
  return /^(?:exec )?(.+)$/.exec(lines.at(-1) ?? '')?.[1]?.trim();
}

describe('CI entry point', () => {
  it('runs the README test command', () => {
    const readme = readmeTestCommand();
    expect(readme).toBe('bash scripts/test.sh');
    expect(ciCommand()).toBe(readme);
  });

  it('is what `pnpm test` runs too', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.test).toBe(readmeTestCommand());
  });

  it('is the only whole-suite command the README gives', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/^pnpm test(\s|$)/m);
  });
});
