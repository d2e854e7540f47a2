import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup config every package builds with: ESM, `.d.ts`, sourcemaps.
 * Entries default to `src/index.ts`; a package passes more when it has subpath exports.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
