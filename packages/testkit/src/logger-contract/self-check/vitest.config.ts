import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs the deliberately broken loggers of broken-loggers.fixture.ts; driven by ../self-check.test.ts,
// never by the workspace's own test projects.
const conditions = ['kratos-source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['kratos-source'] } },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.fixture.ts'],
    testTimeout: 10_000,
  },
});
