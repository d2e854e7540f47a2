#!/usr/bin/env node
// Type-checks every ```ts / ```typescript block of the READMEs (README.md, packages/*, contrib/*,
// examples/*) and docs/*.md under tsc --strict, as a user's project would compile them: each block
// is one module in a scratch project (outside the clone) whose node_modules links the workspace
// packages (their built types, as installed) and their dependencies. Relative imports of generated
// code (./api/helloworld/v1/greeter_http.js, ./gen/helloworld/v1/greeter_pb.ts, ./gen/conf/conf_pb.ts)
// resolve to code generated from the layout template's protos by @kratos/protoc-gen-kratos;
// fixtures/ holds the few generated modules whose protos are not in this repository.
//
// A block that is deliberately partial is skipped when its fence says ```ts nocheck or the line
// before it is <!-- no-typecheck -->. Errors are reported at their README line.
// Run after the build (types come from dist/): node scripts/readme-blocks/check.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const cache = process.env.KRATOS_CACHE ?? join(homedir(), '.cache', 'kratos-ts');
const work = join(cache, 'readme-blocks');
const log = (msg) => console.log(`[readme-blocks] ${msg}`);

// --- 1. The blocks -----------------------------------------------------------------------------
function markdownFiles() {
  const out = [];
  if (existsSync(join(repo, 'README.md'))) out.push('README.md');
  for (const group of ['packages', 'contrib', 'examples']) {
    const dir = join(repo, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const readme = join(group, name, 'README.md');
      if (existsSync(join(repo, readme))) out.push(readme);
    }
  }
  const docs = join(repo, 'docs');
  if (existsSync(docs))
    for (const name of readdirSync(docs).sort()) if (name.endsWith('.md')) out.push(join('docs', name));
  return out;
}

/** `{ file, line (1-based, first code line), code }` for each checked block; counts the skipped. */
function extractBlocks(file) {
  const lines = readFileSync(join(repo, file), 'utf8').split('\n');
  const blocks = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, , info] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const t = lines[j].trim();
      if (t.startsWith(fence) && /^`+$/.test(t)) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    const before = lines
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== '');
    if (/\bnocheck\b/.test(info) || before?.trim() === '<!-- no-typecheck -->') skipped++;
    else blocks.push({ file, line: i + 2, code: body.join('\n') });
    i = j;
  }
  return { blocks, skipped };
}

const files = markdownFiles();
const blocks = [];
let skipped = 0;
for (const f of files) {
  const r = extractBlocks(f);
  blocks.push(...r.blocks);
  skipped += r.skipped;
}
log(
  `${blocks.length} blocks from ${new Set(blocks.map((b) => b.file)).size} files (${skipped} marked no-typecheck)`,
);

// --- 2. The scratch project ----------------------------------------------------------------------
mkdirSync(work, { recursive: true });
for (const name of readdirSync(work)) {
  if (name.startsWith('block_') || name === 'node_modules')
    rmSync(join(work, name), { recursive: true, force: true });
}

/** node_modules: every workspace package by name, then every dependency any of them has. */
function linkModules() {
  const nm = join(work, 'node_modules');
  mkdirSync(nm, { recursive: true });
  const linked = new Set();
  const link = (name, target) => {
    if (linked.has(name) || !existsSync(target)) return;
    linked.add(name);
    mkdirSync(dirname(join(nm, name)), { recursive: true });
    symlinkSync(realpathSync(target), join(nm, name), 'dir');
  };
  const packageDirs = [];
  for (const group of ['packages', 'contrib']) {
    for (const name of readdirSync(join(repo, group)).sort()) {
      const dir = join(repo, group, name);
      if (!existsSync(join(dir, 'package.json'))) continue;
      packageDirs.push(dir);
      link(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir);
    }
  }
  for (const dir of [repo, ...packageDirs]) {
    const deps = join(dir, 'node_modules');
    if (!existsSync(deps)) continue;
    for (const name of readdirSync(deps)) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        for (const sub of readdirSync(join(deps, name))) link(`${name}/${sub}`, join(deps, name, sub));
      } else link(name, join(deps, name));
    }
  }
  return linked.size;
}
const linkedCount = linkModules();

writeFileSync(join(work, 'package.json'), '{ "name": "readme-blocks", "private": true, "type": "module" }\n');
// The options of the service layout's tsconfig (what `kratos new` gives a user), strict.
writeFileSync(
  join(work, 'tsconfig.json'),
  `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        verbatimModuleSyntax: true,
        erasableSyntaxOnly: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: ['node'],
        noEmit: true,
      },
      include: ['block_*.ts'],
    },
    null,
    2,
  )}\n`,
);

// --- 3. Generated code the blocks import ---------------------------------------------------------
const template = join(repo, 'packages', 'cli', 'template');
const protos = [
  join(template, 'api', 'helloworld', 'v1', 'greeter.proto'),
  join(template, 'api', 'helloworld', 'v1', 'error_reason.proto'),
  join(template, 'internal', 'conf', 'conf.proto'),
];
const generator = join(repo, 'packages', 'protoc-gen-kratos', 'dist', 'index.js');
if (!existsSync(generator)) {
  console.error(
    `[readme-blocks] ${relative(repo, generator)} is missing: build first (pnpm turbo run build)`,
  );
  process.exit(1);
}
const hash = createHash('sha256');
for (const f of [...protos, generator, join(repo, 'packages', 'protoc-gen-kratos', 'dist', 'bin', 'all.js')])
  if (existsSync(f)) hash.update(readFileSync(f));
const stamp = hash.digest('hex');
const stampFile = join(work, '.generated-stamp');
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  const t = Date.now();
  rmSync(join(work, 'api'), { recursive: true, force: true });
  rmSync(join(work, 'gen'), { recursive: true, force: true });
  const { generate } = await import(generator);
  const api = join(template, 'api');
  // `kratos proto client api`: js + d.ts next to the protos.
  await generate({ protoDir: api, outDir: join(work, 'api'), target: 'js+dts', importExtension: 'js' });
  // The protoc-gen-kratos README's buf.gen.yaml: TypeScript into gen/.
  await generate({ protoDir: api, outDir: join(work, 'gen'), target: 'ts', importExtension: 'ts' });
  await generate({
    protoDir: join(template, 'internal'),
    outDir: join(work, 'gen'),
    files: ['conf/conf.proto'],
    plugins: ['es'],
    target: 'ts',
    importExtension: 'ts',
  });
  writeFileSync(stampFile, stamp);
  log(`generated api/ and gen/ from the layout template's protos in ${Date.now() - t} ms`);
}
cpSync(join(here, 'fixtures'), work, { recursive: true });

// --- 4. tsc ---------------------------------------------------------------------------------------
const where = new Map();
blocks.forEach((b, i) => {
  const name = `block_${String(i).padStart(3, '0')}_${b.file.replace(/[^A-Za-z0-9]+/g, '_')}.ts`;
  where.set(name, b);
  // `export {}`: every block is a module of its own (top-level await, no shared names).
  writeFileSync(join(work, name), `${b.code}\nexport {};\n`);
});
log(`${linkedCount} packages linked into ${relative(process.cwd(), work) || work}; running tsc --strict`);
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
let output = '';
try {
  execFileSync(process.execPath, [tsc, '-p', join(work, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (e) {
  output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  if (!output.trim()) throw e;
}
const errors = [];
for (const line of output.split('\n')) {
  if (!line.trim()) continue;
  const m = /^(block_[^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
  const b = m && where.get(m[1]);
  if (b) errors.push(`${b.file}:${b.line + Number(m[2]) - 1}:${m[3]} ${m[4]}`);
  else if (/^\s/.test(line) && errors.length > 0) errors[errors.length - 1] += `\n${line}`;
  else errors.push(line);
}
// tsc maps an import of ./x.ts to x.d.ts; Node does not: a relative import must name a real file.
for (const b of blocks) {
  b.code.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      if (!existsSync(join(work, m[1])))
        errors.push(`${b.file}:${b.line + i}:${m.index + 1} imports ${m[1]}, which no generated file is`);
    }
  });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (errors.length > 0) {
  for (const e of errors) console.error(e);
  console.error(
    `[readme-blocks] ${errors.length} error(s) in README code blocks (${seconds}s). Fix the block, or mark a deliberately partial one with \`\`\`ts nocheck`,
  );
  process.exit(1);
}
log(`${blocks.length} blocks type-check (${seconds}s)`);
