#!/usr/bin/env node
// Builds the API reference of every public package (packages/*, contrib/*) with TypeDoc into
// ~/.cache/kratos-ts/apidocs/html (outside the clone; --out <dir> to choose). One module per
// entry of each package's exports map (`@kratos/core`, `@kratos/core/adapter`, ...), documented
// from the built types (dist/*.d.ts) as a user sees them: run after the build.
// Before it, check-exports.mjs fails the build on a type a public declaration uses that no entry of
// its package exports (known-missing-exports.txt lists the ones found when the check came in).
// TypeDoc's own warnings (a broken {@link}) are printed and do not fail it.
// --skip-unbuilt leaves out packages without dist/ (a local run while others build).
// TypeDoc and its TypeScript are pinned in tools.json and installed with npm into the cache.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { publicPackages } from '../workspace.mjs';
import { findMissingExports } from './check-exports.mjs';

const started = Date.now();
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const cache = process.env.KRATOS_CACHE ?? join(homedir(), '.cache', 'kratos-ts');
const work = join(cache, 'apidocs');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(work, 'html');
const log = (msg) => console.log(`[apidocs] ${msg}`);

// TypeDoc, pinned by tools.json.
const tools = join(work, 'tools');
const wantTools = readFileSync(join(here, 'tools.json'), 'utf8');
const toolsStamp = join(tools, '.installed');
if (!existsSync(toolsStamp) || readFileSync(toolsStamp, 'utf8') !== wantTools) {
  log('installing TypeDoc with npm (tools.json)');
  rmSync(tools, { recursive: true, force: true });
  mkdirSync(tools, { recursive: true });
  writeFileSync(join(tools, 'package.json'), wantTools);
  try {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', '--no-package-lock'], {
      cwd: tools,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch {
    console.error(`[apidocs] npm install in ${tools} failed (see above)`);
    process.exit(1);
  }
  writeFileSync(toolsStamp, wantTools);
}

// The public packages and their entries.
const packages = [];
for (const { dir, manifest } of publicPackages(repo)) {
  const entries = Object.entries(manifest.exports ?? {})
    .filter(([key, value]) => key !== './package.json' && typeof value === 'object' && value.types)
    .map(([key, value]) => ({
      specifier: key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`,
      types: join(dir, value.types),
    }));
  const missing = entries.filter((e) => !existsSync(e.types));
  if (missing.length > 0 && process.argv.includes('--skip-unbuilt')) {
    log(`skipping ${manifest.name}: ${relative(repo, missing[0].types)} is not built`);
    continue;
  }
  if (missing.length > 0) {
    console.error(
      `[apidocs] ${relative(repo, missing[0].types)} is missing: build first (pnpm turbo run build)`,
    );
    process.exit(1);
  }
  packages.push({ dir, manifest, entries });
}

// A scratch project: node_modules links to the packages, one re-exporting module per entry.
const project = join(work, 'project');
rmSync(project, { recursive: true, force: true });
mkdirSync(join(project, 'node_modules'), { recursive: true });
mkdirSync(join(project, 'entries'), { recursive: true });
const entryFiles = [];
for (const { dir, manifest, entries } of packages) {
  const link = join(project, 'node_modules', manifest.name);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(realpathSync(dir), link, 'dir');
  for (const { specifier } of entries) {
    const file = join(project, 'entries', `${specifier.replace(/[^a-z0-9]+/gi, '_')}.ts`);
    const about =
      specifier === manifest.name
        ? (manifest.description ?? '')
        : `The \`${specifier.slice(manifest.name.length + 1)}\` entry of ${manifest.name}.`;
    writeFileSync(
      file,
      `/**\n * ${about.replace(/\*\//g, '*\\/')}\n *\n * @module ${specifier}\n */\nexport * from '${specifier}';\n`,
    );
    entryFiles.push(file);
    entries.find((e) => e.specifier === specifier).file = file;
  }
}
const typesNode = join(repo, 'node_modules', '@types', 'node');
mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
symlinkSync(realpathSync(typesNode), join(project, 'node_modules', '@types', 'node'), 'dir');
writeFileSync(join(project, 'package.json'), '{ "name": "apidocs", "private": true, "type": "module" }\n');
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
    },
    include: ['entries/*.ts'],
  }),
);
writeFileSync(
  join(project, 'typedoc.json'),
  JSON.stringify(
    {
      name: 'kratos-ts API reference',
      entryPoints: entryFiles,
      entryPointStrategy: 'resolve',
      tsconfig: join(project, 'tsconfig.json'),
      out,
      readme: 'none',
      excludePrivate: true,
      excludeInternal: true,
      disableSources: true,
      skipErrorChecking: true,
      // notExported stays off: TypeDoc skips types of packages other than its project's (all of
      // ours here); check-exports.mjs does that check.
      validation: { notExported: false, invalidLink: true, notDocumented: false },
      logLevel: 'Warn',
    },
    null,
    2,
  ),
);
// TypeDoc in this process: its program (the entries and the types they reach) also serves the
// export check, so the declarations are parsed once.
log(`${packages.length} packages, ${entryFiles.length} entries; running TypeDoc`);
const typedoc = await import(pathToFileURL(join(tools, 'node_modules', 'typedoc', 'dist', 'index.js')).href);
const { default: ts } = await import(
  pathToFileURL(join(tools, 'node_modules', 'typescript', 'lib', 'typescript.js')).href
);
process.chdir(project);
const app = await typedoc.Application.bootstrapWithPlugins({ options: join(project, 'typedoc.json') });
let programs = [];
app.converter.on(typedoc.Converter.EVENT_BEGIN, (context) => {
  programs = context.programs;
});
const reflection = await app.convert();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
if (!reflection || programs.length !== 1) {
  console.error(`[apidocs] TypeDoc could not convert the entries (${seconds()}s): see above`);
  process.exit(1);
}

// Types used by public declarations but exported by no entry of their package.
const byPackage = packages.map(({ dir, manifest, entries }) => ({
  dir,
  name: manifest.name,
  entryFiles: entries.map((e) => e.file),
}));
const found = findMissingExports(ts, byPackage, programs[0]);
// Findings known before the check existed (each to be exported by its package) do not fail it.
const known = new Set(
  readFileSync(join(here, 'known-missing-exports.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#')),
);
const fresh = found.filter((m) => !known.has(m));
for (const m of known) if (!found.includes(m)) log(`fixed, remove from known-missing-exports.txt: ${m}`);
if (fresh.length > 0) {
  for (const m of fresh) console.error(m);
  console.error(
    `[apidocs] ${fresh.length} type(s) used by public declarations but exported by no entry: export them`,
  );
  process.exit(1);
}
log(`every type a public declaration uses is exported by its package (${found.length} known exceptions)`);

// TypeDoc's warnings (an unresolved {@link}) are shown; they do not fail the build.
app.validate(reflection);
await app.generateDocs(reflection, out);
if (app.logger.errorCount > 0) {
  console.error(`[apidocs] TypeDoc reported errors (${seconds()}s): see above`);
  process.exit(1);
}
log(`API reference in ${out} (${seconds()}s; ${app.logger.warningCount} TypeDoc warning(s))`);
