import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CliError, type Output } from '../errors.ts';
import { adapterTemplateDir, ownManifest } from '../paths.ts';

/** The adapter kinds `kratos new --adapter <kind>-<name>` lays out. */
export type AdapterKind = 'registry' | 'config' | 'codec' | 'logger';

/** Options of {@link newAdapter}. */
export interface NewAdapterOptions {
  /** `<kind>-<name>`: `registry-eureka`, `config-vault`, `codec-cbor`, `logger-winston`. */
  spec: string;
  /** npm package name. Default `kratos-<kind>-<name>`. The folder is its last part. */
  packageName?: string;
  /** Where to create it. Default: the working directory. */
  cwd?: string;
  /**
   * Depend on a kratos-ts checkout's `@kratos/*` packages (`file:<checkout>/packages/<x>`) and
   * resolve their TypeScript sources (the `kratos-source` condition), for kratos-ts development.
   */
  link?: string;
}

interface KindInfo {
  /** Suffix of the source file and of the factory name. */
  suffix: string;
  iface: string;
  contract: string;
  description: (Name: string) => string;
  example: string;
  options: string[];
}

const KINDS: Record<AdapterKind, KindInfo> = {
  registry: {
    suffix: 'Registry',
    iface: 'Registrar & Discovery',
    contract: 'describeRegistryContract',
    description: (N) => `${N} service registry for kratos-ts (Registrar and Discovery)`,
    example: [
      "import { create__Name__Registry } from '__PACKAGE__';",
      '',
      "const registry = create__Name__Registry({ namespace: '/microservices' });",
      "const instances = await registry.getService('helloworld');",
      'await registry.close();',
    ].join('\n'),
    options: [
      "| `namespace` | `string` | `'/microservices'` | Prefix of the keys instances are stored under |",
    ],
  },
  config: {
    suffix: 'Source',
    iface: 'Source',
    contract: 'describeConfigSourceContract',
    description: (N) => `${N} config source for kratos-ts`,
    example: [
      "import { createConfig } from '@kratos/config';",
      "import { create__Name__Source } from '__PACKAGE__';",
      '',
      "const config = createConfig({ sources: [create__Name__Source({ prefix: '/config/' })] });",
      'await config.load();',
    ].join('\n'),
    options: [
      "| `prefix` | `string` | `'/config/'` | Prefix of the keys this source reads |",
      '| `initial` | `{ key, value }[]` | `[]` | Documents to start with (the in-memory stand-in) |',
    ],
  },
  codec: {
    suffix: 'Codec',
    iface: 'Codec',
    contract: 'describeCodecContract',
    description: (N) => `${N} codec for kratos-ts`,
    example: [
      "import { create__Name__Codec } from '__PACKAGE__';",
      '',
      'const codec = create__Name__Codec();',
      'const bytes = codec.marshal({ name: "kratos" });',
      'console.log(codec.unmarshal(bytes));',
    ].join('\n'),
    options: [
      "| `contentType` | `string` | `'application/x-__name__'` | The media type it writes and answers to |",
    ],
  },
  logger: {
    suffix: 'Logger',
    iface: 'Logger',
    contract: 'describeLoggerContract',
    description: (N) => `${N} logger for kratos-ts`,
    example: [
      "import { createLogHelper } from '@kratos/core';",
      "import { create__Name__Logger } from '__PACKAGE__';",
      '',
      "const log = createLogHelper(create__Name__Logger({ level: 'info' }));",
      "log.info('hello');",
    ].join('\n'),
    options: [
      "| `level` | `'debug' \\| 'info' \\| 'warn' \\| 'error' \\| 'fatal'` | `'info'` | Lines below it are dropped |",
      '| `write` | `(line: string) => void` | `process.stdout` | Where each line goes |',
    ],
  },
};

const SPEC = /^(registry|config|codec|logger)-([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/;
const PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full));
  }
  return out;
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

function linkManifest(manifest: Record<string, unknown>, checkout: string): void {
  for (const field of ['peerDependencies', 'devDependencies'] as const) {
    const deps = manifest[field] as Record<string, string>;
    for (const dep of Object.keys(deps)) {
      if (dep.startsWith('@kratos/') && field === 'devDependencies')
        deps[dep] = `file:${resolve(checkout, 'packages', dep.slice('@kratos/'.length))}`;
    }
  }
}

const LINKED_VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

// Linked to a kratos-ts checkout: resolve its packages' TypeScript sources.
const conditions = ['kratos-source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['kratos-source'] } },
});
`;

/**
 * `kratos new --adapter <kind>-<name>`: lays out a publishable adapter package (manifest with
 * `@kratos/core` as a peer, exports map, tsconfig, README with an options table, a factory stub
 * that satisfies the core interface, and a test running the testkit contract suite).
 * Returns the folder it created.
 */
export function newAdapter(options: NewAdapterOptions, output: Output): string {
  const m = SPEC.exec(options.spec);
  if (!m) {
    throw new CliError(
      `invalid adapter "${options.spec}": want <kind>-<name> with kind registry, config, codec or logger and a lower-case name, e.g. registry-eureka`,
      2,
    );
  }
  const kind = m[1] as AdapterKind;
  const name = m[2]!;
  const info = KINDS[kind];
  const packageName = options.packageName ?? `kratos-${kind}-${name}`;
  if (!PACKAGE.test(packageName) || packageName.length > 214)
    throw new CliError(`invalid package name "${packageName}"`, 2);
  const cwd = options.cwd ?? process.cwd();
  const folder = packageName.split('/').pop()!;
  const target = resolve(cwd, folder);
  if (existsSync(target)) throw new CliError(`${target} already exists`);
  const link =
    options.link === 'workspace' ? resolve(cwd, '../..') : options.link && resolve(cwd, options.link);
  if (link && !existsSync(join(link, 'packages', 'core', 'package.json')))
    throw new CliError(`--link ${options.link}: ${link} is not a kratos-ts checkout (no packages/core)`);

  const Name = pascal(name);
  const version = ownManifest().version;
  const fill = (text: string) =>
    text
      .replaceAll('__EXAMPLE__', info.example)
      .replaceAll('__OPTIONS__', info.options.join('\n'))
      .replaceAll('__DESCRIPTION__', info.description(Name))
      .replaceAll('__FACTORY__', `create${Name}${info.suffix}`)
      .replaceAll('__INTERFACE__', info.iface)
      .replaceAll('__CONTRACT__', info.contract)
      .replaceAll('__PACKAGE__', packageName)
      .replaceAll('__KRATOS_VERSION__', version)
      .replaceAll('__KIND__', kind)
      .replaceAll('__NAME__', name)
      .replaceAll('__Name__', Name)
      .replaceAll('__name__', name);

  const templates = adapterTemplateDir();
  const sources: [string, string][] = [
    ...listFiles(join(templates, 'common')).map((f): [string, string] => [join(templates, 'common', f), f]),
    ...listFiles(join(templates, kind)).map((f): [string, string] => [join(templates, kind, f), f]),
  ];
  const created: string[] = [];
  const write = (rel: string, content: string) => {
    const to = join(target, rel);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, content);
    created.push(rel);
    output.out(`CREATED ${join(folder, rel)} (${Buffer.byteLength(content)} bytes)`);
  };
  try {
    for (const [from, rel] of sources) {
      // `_gitignore` and `_package.json` are stored under those names: npm drops a .gitignore from a
      // tarball, and a nested package.json with `exports` confuses publint and bundlers.
      const outRel = fill(rel).replace(
        /(^|[\\/])_(gitignore|package\.json)$/,
        (_m, dir: string, name: string) => (name === 'gitignore' ? `${dir}.gitignore` : `${dir}package.json`),
      );
      let content = fill(readFileSync(from, 'utf8'));
      if (link && outRel === 'package.json') {
        const manifest = JSON.parse(content) as Record<string, unknown>;
        linkManifest(manifest, link);
        content = `${JSON.stringify(manifest, null, 2)}\n`;
      }
      if (link && rel === 'tsconfig.json') {
        const tsconfig = JSON.parse(content) as { compilerOptions: Record<string, unknown> };
        tsconfig.compilerOptions.customConditions = ['kratos-source'];
        content = `${JSON.stringify(tsconfig, null, 2)}\n`;
      }
      write(outRel, content);
    }
    if (link) write('vitest.config.ts', LINKED_VITEST_CONFIG);
  } catch (e) {
    rmSync(target, { recursive: true, force: true });
    throw e;
  }
  output.out('');
  output.out(`🍺 Adapter package ${packageName} created: create${Name}${info.suffix}(options) in src/`);
  output.out('💻 Run its contract suite 👇:');
  output.out('');
  output.out(`$ cd ${relative(process.cwd(), target) || '.'}`);
  output.out('$ npm install');
  output.out('$ npm test');
  output.out('');
  return target;
}
