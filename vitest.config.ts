import { defineConfig } from 'vitest/config';

// Tests run against each package's source through the `kratos-source` export condition. Only
// that condition is added to Vite's defaults: adding `import` would reach externalised CommonJS
// too (Node's require('long') would load ESM and protobufjs would lose int64 precision).
const conditions = ['kratos-source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['kratos-source'] } },
  test: {
    // Integration suites start real servers; the cap keeps two cores from being oversubscribed.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.integration.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'contrib/*/src/**/*.test.ts',
            'test/**/*.test.ts',
            'packages/*/src/**/*.integration.test.ts',
            'examples/*/test/**/*.integration.test.ts',
          ],
          // The fault scenarios run as their own step of scripts/test.sh (node test/reliability/run.mjs).
          exclude: ['**/node_modules/**', 'test/reliability/**'],
        },
      },
    ],
  },
});
