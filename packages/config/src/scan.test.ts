// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config placeholders are written ${KEY} on purpose
import { create, createFileRegistry, type DescMessage, toJson } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_duration,
} from '@bufbuild/protobuf/wkt';
import { createMemorySource } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { isConfigError } from './errors.ts';
import { memoryLogger } from './test-helpers.test-util.ts';
import type { StandardSchemaV1 } from './types.ts';

/** A tiny hand-made Standard Schema: `{ server: { addr: string, port: number } }`. */
interface ServerConf {
  server: { addr: string; port: number };
}
const serverSchema: StandardSchemaV1<unknown, ServerConf> = {
  '~standard': {
    version: 1,
    vendor: 'handmade',
    validate(value) {
      const v = value as { server?: { addr?: unknown; port?: unknown } };
      const issues = [];
      if (typeof v?.server?.addr !== 'string')
        issues.push({ message: 'expected string', path: ['server', 'addr'] });
      const port = Number(v?.server?.port);
      if (!Number.isInteger(port))
        issues.push({ message: 'expected integer', path: ['server', { key: 'port' }] });
      if (issues.length > 0) return { issues };
      return { value: { server: { addr: v.server?.addr as string, port } } };
    },
  },
};

const asyncSchema: StandardSchemaV1<unknown, { ok: true }> = {
  '~standard': { version: 1, vendor: 'later', validate: async () => ({ value: { ok: true } }) },
};

/** conf.HTTP { string addr = 1; google.protobuf.Duration timeout = 2; bool debug = 3; int32 port = 4; }
 *  conf.Bootstrap { HTTP http = 1; repeated string tags = 2; map<string, HTTP> more = 3; } */
function bootstrapSchema(): DescMessage {
  const T = FieldDescriptorProto_Type;
  const L = FieldDescriptorProto_Label;
  const field = (name: string, number: number, type: FieldDescriptorProto_Type, extra = {}) => ({
    name,
    number,
    type,
    label: L.OPTIONAL,
    jsonName: name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
    ...extra,
  });
  const file = create(FileDescriptorProtoSchema, {
    name: 'conf/conf.proto',
    package: 'conf',
    syntax: 'proto3',
    dependency: ['google/protobuf/duration.proto'],
    messageType: [
      {
        name: 'HTTP',
        field: [
          field('addr', 1, T.STRING),
          field('timeout', 2, T.MESSAGE, { typeName: '.google.protobuf.Duration' }),
          field('debug', 3, T.BOOL),
          field('max_port', 4, T.INT32),
        ],
      },
      {
        name: 'Bootstrap',
        field: [
          field('http', 1, T.MESSAGE, { typeName: '.conf.HTTP' }),
          field('tags', 2, T.STRING, { label: L.REPEATED }),
          field('more', 3, T.MESSAGE, { typeName: '.conf.Bootstrap.MoreEntry', label: L.REPEATED }),
        ],
        nestedType: [
          {
            name: 'MoreEntry',
            field: [field('key', 1, T.STRING), field('value', 2, T.MESSAGE, { typeName: '.conf.HTTP' })],
            options: { mapEntry: true },
          },
        ],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) =>
    name === 'google/protobuf/duration.proto' ? file_google_protobuf_duration : undefined,
  );
  const desc = registry.getMessage('conf.Bootstrap');
  if (!desc) throw new Error('conf.Bootstrap not built');
  return desc;
}

async function configOf(yamlText: string, env: Record<string, string> = {}) {
  const config = createConfig({
    sources: [
      createMemorySource([{ key: 'config.yaml', value: new TextEncoder().encode(yamlText), format: 'yaml' }]),
      createMemorySource(
        Object.entries(env).map(([key, v]) => ({ key, value: new TextEncoder().encode(v), format: '' })),
      ),
    ],
    logger: memoryLogger(),
  });
  await config.load();
  return config;
}

describe('scan with a Standard Schema', () => {
  it('validates a copy of the whole tree or of one value', async () => {
    const config = await configOf(
      'server:\n  addr: ${ADDR:0.0.0.0:8000}\n  port: "${PORT:8000}"\nextra: 1\n',
      {
        PORT: '9000',
      },
    );
    const conf = await config.scan(serverSchema);
    expect(conf).toEqual({ server: { addr: '0.0.0.0:8000', port: 9000 } });
    expect(config.scanSync(serverSchema)).toEqual(conf);
    const sub = await config.value('server').scan({
      '~standard': {
        version: 1,
        vendor: 'x',
        validate: (v) => {
          (v as { touched?: boolean }).touched = true; // a validator may mutate its input copy
          return { value: v };
        },
      },
    });
    expect(sub).toEqual({ addr: '0.0.0.0:8000', port: '9000', touched: true });
    expect(config.value('server.touched').exists).toBe(false);
    await config.close();
  });

  it('reports every issue with its full key', async () => {
    const config = await configOf('server:\n  addr: 1\n  port: eighty\n');
    const err = await config.scan(serverSchema).catch((e: unknown) => e);
    expect(isConfigError(err, 'CONFIG_SCAN')).toBe(true);
    expect((err as Error).message).toBe(
      'config: the config does not match the handmade schema: server.addr: expected string; server.port: expected integer',
    );
    await config.close();
  });

  it('scanSync refuses an asynchronous validator, scan awaits it', async () => {
    const config = await configOf('a: 1\n');
    expect(() => config.scanSync(asyncSchema)).toThrow(/validates asynchronously/);
    await expect(config.scan(asyncSchema)).resolves.toEqual({ ok: true });
    await config.close();
  });

  it('rejects something that is no schema', async () => {
    const config = await configOf('a: 1\n');
    expect(() => config.scanSync({} as never)).toThrow(
      /Standard Schema v1 validator .* or a protobuf-es message/,
    );
    await config.close();
  });
});

describe('scan with a protobuf-es message', () => {
  it('decodes with the JSON mapping, ignoring unknown fields, accepting both field spellings', async () => {
    const Bootstrap = bootstrapSchema();
    const config = await configOf(
      [
        'http:',
        '  addr: 0.0.0.0:8000',
        '  timeout: 1s',
        '  debug: ${DEBUG:false}',
        '  max_port: 9000',
        'tags: [a, b]',
        'more:',
        '  admin: {addr: ":9999", timeout: 500ms, maxPort: "7"}',
        'unknown_section: {x: 1}',
      ].join('\n'),
      { DEBUG: 'true' },
    );
    const msg = config.scanSync(Bootstrap);
    expect(toJson(Bootstrap, msg)).toEqual({
      http: { addr: '0.0.0.0:8000', timeout: '1s', debug: true, maxPort: 9000 },
      tags: ['a', 'b'],
      more: { admin: { addr: ':9999', timeout: '0.500s', maxPort: 7 } },
    });
    const HTTP = Bootstrap.field.http?.message;
    if (!HTTP) throw new Error('no conf.HTTP');
    const http = await config.value('http').scan(HTTP);
    expect(http.$typeName).toBe('conf.HTTP');
    expect(toJson(HTTP, http)).toEqual({ addr: '0.0.0.0:8000', timeout: '1s', debug: true, maxPort: 9000 });
    await config.close();
  });

  it('a Go duration anywhere a google.protobuf.Duration is wanted; a bad value names the key', async () => {
    const Bootstrap = bootstrapSchema();
    const config = await configOf('http:\n  timeout: 1m30s\n');
    const msg = config.scanSync(Bootstrap);
    expect(toJson(Bootstrap, msg)).toEqual({ http: { timeout: '90s' } });
    await config.close();

    const bad = await configOf('http:\n  max_port: lots\n');
    let err: unknown;
    try {
      bad.value('http').scanSync(Bootstrap.field.http?.message ?? Bootstrap);
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err, 'CONFIG_SCAN')).toBe(true);
    expect((err as Error).message).toMatch(
      /config key "http" cannot be read as conf\.HTTP: .*max_port|maxPort/,
    );
    await bad.close();
  });
});
