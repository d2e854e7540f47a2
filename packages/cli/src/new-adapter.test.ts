import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Output } from './index.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { out, err, output };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'kratos-adapter-unit-'));

describe('kratos new --adapter', () => {
  it('lays out a publishable registry adapter package named after the backend', async () => {
    const dir = tmp();
    const { out, output } = capture();
    expect(await main(['new', '--adapter', 'registry-eureka'], output, dir)).toBe(0);
    const pkg = join(dir, 'kratos-registry-eureka');
    for (const f of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'README.md',
      '.gitignore',
      'src/index.ts',
      'src/eureka-registry.ts',
      'src/eureka-registry.test.ts',
    ])
      expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, 'vitest.config.ts'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    const version = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version;
    expect(manifest.name).toBe('kratos-registry-eureka');
    expect(manifest.peerDependencies).toEqual({ '@kratos/core': `^${version}` });
    expect(manifest.devDependencies['@kratos/testkit']).toBe(`^${version}`);
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.scripts.test).toBe('vitest run');
    const src = readFileSync(join(pkg, 'src/eureka-registry.ts'), 'utf8');
    expect(src).toContain('export function createEurekaRegistry(options: EurekaRegistryOptions = {})');
    expect(src).toContain('satisfies EurekaRegistry');
    expect(src).not.toMatch(/__\w+__/);
    const test = readFileSync(join(pkg, 'src/eureka-registry.test.ts'), 'utf8');
    expect(test).toContain("describeRegistryContract('eureka', () => createEurekaRegistry()");
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
    expect(readme).toContain('| `namespace` | `string` |');
    expect(readme).toContain('npm install kratos-registry-eureka @kratos/core');
    expect(readme).not.toMatch(/__[A-Za-z]+__/);
    expect(out.join('\n')).toContain('$ npm test');
  });

  it('takes a scoped package name and multi-word backend names', async () => {
    const dir = tmp();
    const { output } = capture();
    expect(await main(['new', '--adapter', 'config-hashi-vault', '@acme/kratos-vault'], output, dir)).toBe(0);
    const pkg = join(dir, 'kratos-vault');
    expect(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).name).toBe('@acme/kratos-vault');
    expect(readFileSync(join(pkg, 'src/hashi-vault-source.ts'), 'utf8')).toContain(
      'export function createHashiVaultSource(',
    );
  });

  it('lays out codec and logger packages with their factories', async () => {
    const dir = tmp();
    const { output } = capture();
    expect(await main(['new', '--adapter', 'codec-cbor'], output, dir)).toBe(0);
    expect(await main(['new', '--adapter', 'logger-winston'], output, dir)).toBe(0);
    expect(readFileSync(join(dir, 'kratos-codec-cbor/src/cbor-codec.test.ts'), 'utf8')).toContain(
      'describeCodecContract(createCborCodec()',
    );
    expect(readFileSync(join(dir, 'kratos-logger-winston/src/winston-logger.ts'), 'utf8')).toContain(
      'satisfies WinstonLogger',
    );
  });

  it('says what it wants for a bad kind, name or package, and never overwrites', async () => {
    const dir = tmp();
    for (const args of [
      ['new', '--adapter', 'metrics-prom'],
      ['new', '--adapter', 'registry'],
      ['new', '--adapter', 'registry-Eureka'],
      ['new', '--adapter', 'registry-eureka', 'Bad Name'],
      ['new', '--adapter', 'registry-eureka', 'a', 'b'],
      ['new', '--adapter', 'registry-eureka', '--nomod'],
    ]) {
      const { err, output } = capture();
      expect(await main(args, output, dir), args.join(' ')).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^kratos: (invalid adapter|invalid package name|kratos new --adapter takes)/);
      expect(existsSync(join(dir, 'kratos-registry-eureka'))).toBe(false);
    }
    const { output } = capture();
    expect(await main(['new', '--adapter', 'codec-cbor'], output, dir)).toBe(0);
    const again = capture();
    expect(await main(['new', '--adapter', 'codec-cbor'], again.output, dir)).toBe(1);
    expect(again.err[0]).toMatch(/kratos-codec-cbor already exists/);
    const notCheckout = capture();
    expect(await main(['new', '--adapter', 'codec-x', '--link', dir], notCheckout.output, dir)).toBe(1);
    expect(notCheckout.err[0]).toMatch(/is not a kratos-ts checkout/);
  });
});
