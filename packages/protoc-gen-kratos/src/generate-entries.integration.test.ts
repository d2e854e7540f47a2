import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageDir } from '../testdata/request.ts';

// The built package as users import it: `@kratos/protoc-gen-kratos` (dist/index.js) and
// `@kratos/protoc-gen-kratos/generate` (dist/generate.js). Tests elsewhere run the sources, where
// both are one module anyway; here the two bundles must share one GenerateError class.
async function entry(file: string): Promise<Record<string, unknown>> {
  const path = join(packageDir, 'dist', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: build first (pnpm turbo run build)`);
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

describe('@kratos/protoc-gen-kratos built entries', () => {
  it('the main entry and ./generate hand out one GenerateError: instanceof holds across them', async () => {
    const main = await entry('index.js');
    const sub = await entry('generate.js');
    expect(typeof main.GenerateError).toBe('function');
    expect(main.GenerateError).toBe(sub.GenerateError);
    const MainError = main.GenerateError as new (...args: never[]) => Error;
    const generate = sub.generate as (o: { protoDir: string; outDir: string }) => Promise<void>;
    const missing = join(packageDir, 'testdata', 'no-such-proto-dir');
    const err = await generate({ protoDir: missing, outDir: join(packageDir, '.generated', 'never') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MainError);
    expect((err as Error).name).toBe('GenerateError');
    expect((err as Error).message).toContain('no-such-proto-dir');
  });
});
