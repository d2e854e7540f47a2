// The release rehearsal's own checks, on made-up inputs: the tarball rules name the package and the
// stray or missing file, and the README's Install section is read as the commands the checks run.
import { describe, expect, it } from 'vitest';
import { checkFiles } from '../../scripts/release/check-tarballs.mjs';
import { readmeInstall } from './lib.mjs';

const pkg = (manifest: Record<string, unknown>) => ({
  name: '@kratos/x',
  version: '1.0.0',
  dir: '/nonexistent',
  manifest,
});
const good = ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts'];
const manifest = {
  exports: {
    '.': { 'kratos-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
  },
};

describe('tarball rules', () => {
  it('accepts dist with types, README, LICENSE, package.json and sources', () => {
    expect(checkFiles(pkg(manifest), good)).toEqual([]);
  });

  it('names each stray file: tests, test data, fixtures, build info, build configs', () => {
    const stray = [
      'src/a.test.ts',
      'src/b.integration.test.ts',
      'src/testdata/x.json',
      'src/fixtures/y.ts',
      'dist/tsconfig.tsbuildinfo',
      'tsconfig.json',
      'tsup.config.ts',
    ];
    expect(checkFiles(pkg(manifest), [...good, ...stray])).toEqual([
      'stray src/a.test.ts (a test)',
      'stray src/b.integration.test.ts (a test)',
      'stray src/testdata/x.json (test data)',
      'stray src/fixtures/y.ts (a test fixture)',
      'stray dist/tsconfig.tsbuildinfo (a TypeScript build-info file)',
      'stray tsconfig.json (a build config)',
      'stray tsup.config.ts (a build config)',
    ]);
  });

  it('leaves a scaffolding template alone (its tests and tsconfig are content)', () => {
    expect(
      checkFiles(pkg(manifest), [...good, 'template/tsconfig.json', 'adapter-template/src/x.test.ts']),
    ).toEqual([]);
  });

  it('names what is missing: README, LICENSE, types, files named by exports and bin', () => {
    const m = { ...manifest, bin: { k: './bin/k.js' } };
    expect(checkFiles(pkg(m), ['package.json', 'dist/index.js', 'src/index.ts'])).toEqual([
      'missing README.md',
      'missing LICENSE (every package ships the MIT licence text its manifest names)',
      'missing dist/**/*.d.ts (no type declarations)',
      'missing dist/index.d.ts (named by exports)',
      'missing bin/k.js (named by bin)',
    ]);
  });
});

describe("the README's Install section", () => {
  const readme = [
    '# x',
    '## Install',
    'text',
    '```sh',
    'npx @kratos/cli new helloworld   # a comment',
    'cd helloworld',
    '```',
    '```sh',
    'npm install @kratos/core',
    '```',
    '## Next',
    '```sh',
    'not this',
    '```',
  ].join('\n');

  it('gives the commands of its two sh blocks, comments dropped', () => {
    expect(readmeInstall(readme)).toEqual({
      scaffold: ['npx @kratos/cli new helloworld', 'cd helloworld'],
      mix: ['npm install @kratos/core'],
    });
  });

  it('fails with one line when the section or a block is missing', () => {
    expect(() => readmeInstall('# x\n## Usage\n')).toThrow('README.md has no "## Install" section');
    expect(() => readmeInstall('## Install\n```sh\nnpm i\n```\n')).toThrow(
      'has 1 sh blocks, the checks expect 2',
    );
  });
});
