import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfigSourceContract } from '@kratos/testkit';
import { createEnvSource } from './env-source.ts';
import { createFileSource } from './file-source.ts';
import { memoryLogger } from './test-helpers.test-util.ts';

// The contract every config source (etcd, consul, nacos, ...) passes, on a real directory.
describeConfigSourceContract('file (directory)', async ({ initial }) => {
  const dir = await mkdtemp(join(tmpdir(), 'kratos-config-contract-'));
  for (const doc of initial) await writeFile(join(dir, doc.name), doc.value);
  return {
    source: createFileSource(dir, { debounce: 20, logger: memoryLogger() }),
    set: (name, value) => writeFile(join(dir, name), value),
    delete: (name) => unlink(join(dir, name)),
    keyFor: (name) => join(dir, name),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describeConfigSourceContract(
  'env',
  ({ namespace, initial }) => {
    const env: Record<string, string> = { UNRELATED: 'x' };
    for (const doc of initial) env[`${namespace}_${doc.name}`] = doc.value;
    return { source: createEnvSource({ prefix: namespace, env }) };
  },
  // The environment is fixed for the life of a process: nothing to mutate or watch.
  { watch: false, mutate: false, formatFromExtension: false },
);
