// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config placeholders are written ${KEY} on purpose
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { isConfigError } from './errors.ts';
import { loaded, memory, memoryLogger, yaml } from './test-helpers.test-util.ts';

describe('placeholders', () => {
  it('resolves ${KEY} and ${KEY:default} against the merged tree, nested and across sources', async () => {
    const { config } = await loaded(
      {
        'app.yaml': yaml(
          [
            'name: ${APP_NAME:helloworld}',
            'server:',
            '  http:',
            '    addr: ${HTTP_HOST:0.0.0.0}:${HTTP_PORT:8000}',
            '  grpc:',
            '    addr: ${GRPC_ADDR:0.0.0.0:9000}',
            'copy: ${server.http.addr}',
            'port: ${ports.http}',
            'ports:',
            '  http: 8000',
            'chain: ${copy}/x',
            'list: ["${name}", 2]',
            'portsCopy: ${ports}',
          ].join('\n'),
        ),
      },
      { 'env.json': '{"HTTP_PORT": "8080"}' },
    );
    expect(config.value('name').string()).toBe('helloworld');
    expect(config.value('server.http.addr').string()).toBe('0.0.0.0:8080');
    expect(config.value('server.grpc.addr').string()).toBe('0.0.0.0:9000');
    expect(config.value('copy').string()).toBe('0.0.0.0:8080');
    // A string that is exactly one placeholder keeps the referenced value's type.
    expect(config.value('port').raw).toBe(8000);
    expect(config.value('chain').string()).toBe('0.0.0.0:8080/x');
    expect(config.value('list.0').string()).toBe('helloworld');
    expect(config.value('portsCopy').raw).toEqual({ http: 8000 });
    expect(config.value('portsCopy').raw).not.toBe(config.value('ports').raw);
    await config.close();
  });

  it('a missing placeholder without default becomes "" (as in Go), logged; "keep" and "error" modes', async () => {
    const { config, logger } = await loaded({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' });
    expect(config.value('dsn').string()).toBe('user:@tcp');
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.key === 'dsn')).toBe(true);
    await config.close();

    const keep = createConfig({
      sources: [memory({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' })],
      logger: memoryLogger(),
      missingPlaceholder: 'keep',
    });
    await keep.load();
    expect(keep.value('dsn').string()).toBe('user:${DB_PASSWORD}@tcp');
    await keep.close();

    const strict = createConfig({
      sources: [memory({ 'a.yaml': 'dsn: "user:${DB_PASSWORD}@tcp"\n' })],
      logger: memoryLogger(),
      missingPlaceholder: 'error',
    });
    await expect(strict.load()).rejects.toThrow(/\$\{DB_PASSWORD\} at dsn has no default/);
    await strict.close();
  });

  it('reports a placeholder cycle', async () => {
    const config = createConfig({
      sources: [memory({ 'a.yaml': 'a: ${b}\nb: ${a}\n' })],
      logger: memoryLogger(),
    });
    const err = await config.load().catch((e: unknown) => e);
    expect(isConfigError(err, 'CONFIG_PLACEHOLDER')).toBe(true);
    expect((err as Error).message).toMatch(/cycle/);
    await config.close();
  });
});
