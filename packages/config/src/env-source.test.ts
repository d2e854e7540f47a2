// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config placeholders are written ${KEY} on purpose
import { createMemorySource } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { createEnvSource } from './env-source.ts';
import { memoryLogger } from './test-helpers.test-util.ts';

const env = {
  KRATOS_A: '1',
  KRATOS_SERVER_ADDR: '0.0.0.0:8000',
  KRATOS: 'the prefix alone is skipped',
  KRATOSX: 'no underscore: prefix stripped only',
  'KRATOS_db.dsn': 'mysql://x',
  OTHER_B: '2',
  PATH: '/usr/bin',
};

describe('env source', () => {
  it('keeps only prefixed variables, strips the prefix and one underscore, keeps case (like Go)', async () => {
    const kvs = await createEnvSource({ prefix: 'KRATOS', env }).load();
    expect(kvs.map((kv) => [kv.key, new TextDecoder().decode(kv.value), kv.format])).toEqual([
      ['A', '1', ''],
      ['SERVER_ADDR', '0.0.0.0:8000', ''],
      ['X', 'no underscore: prefix stripped only', ''],
      ['db.dsn', 'mysql://x', ''],
    ]);
  });

  it('several prefixes, and no prefix reads everything as is', async () => {
    const both = await createEnvSource({ prefix: ['KRATOS_', 'OTHER_'], env }).load();
    expect(both.map((kv) => kv.key)).toEqual(['A', 'SERVER_ADDR', 'db.dsn', 'B']);
    const all = await createEnvSource({ env }).load();
    expect(all.map((kv) => kv.key)).toEqual(Object.keys(env));
  });

  it('feeds placeholders and typed reads; a dotted name nests', async () => {
    const file = createMemorySource([
      {
        key: 'config.yaml',
        value: new TextEncoder().encode(
          'server:\n  addr: ${SERVER_ADDR:127.0.0.1:1}\n  debug: ${DEBUG:false}\n',
        ),
        format: 'yaml',
      },
    ]);
    const config = createConfig({
      sources: [file, createEnvSource({ prefix: 'KRATOS_', env })],
      logger: memoryLogger(),
    });
    await config.load();
    expect(config.value('server.addr').string()).toBe('0.0.0.0:8000');
    expect(config.value('server.debug').bool()).toBe(false);
    expect(config.value('A').int()).toBe(1);
    expect(config.value('SERVER_ADDR').string()).toBe('0.0.0.0:8000');
    expect(config.value('db.dsn').string()).toBe('mysql://x');
    await config.close();
  });

  it('reads process.env by default', async () => {
    process.env.KRATOS_CONFIG_TEST_VAR = 'yes';
    try {
      const kvs = await createEnvSource({ prefix: 'KRATOS_CONFIG_TEST_' }).load();
      expect(kvs).toEqual([{ key: 'VAR', value: new TextEncoder().encode('yes'), format: '' }]);
    } finally {
      delete process.env.KRATOS_CONFIG_TEST_VAR;
    }
  });
});
