// What `npm publish` would upload, checked before anything is published: for every public package,
// `pnpm pack --dry-run --json` lists the tarball's files, and each must have
//   package.json, README.md, LICENSE, type declarations in dist/,
//   and every file its exports / main / types / bin name;
// and none of
//   tests (*.test.*, *.spec.*), testdata/ or fixtures/ folders, *.tsbuildinfo, the package's tsconfig/tsup/vitest configs.
// Files under a top-level *template/ folder (what `kratos new` copies out) are content, not checked.
// One line per problem: `[tarball] <package>: stray <file>` / `[tarball] <package>: missing <file>`.
//
//   node scripts/release/check-tarballs.mjs [root]     (root: the workspace, built; default .)
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { publicPackages } from './workspace-packages.mjs';

const STRAY = [
  [/(^|\/)[^/]*\.(test|spec)\.[cm]?[jt]sx?$/, 'a test'],
  [/(^|\/)testdata\//, 'test data'],
  [/(^|\/)(fixtures|__tests__|__fixtures__)\//, 'a test fixture'],
  [/\.tsbuildinfo$/, 'a TypeScript build-info file'],
  // The package's own build configs (at its top; a template inside may have a tsconfig of its own).
  [
    /^(tsconfig[^/]*\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s|turbo\.json)$/,
    'a build config',
  ],
  [/(^|\/)(node_modules|\.turbo)\//, 'a build folder'],
];

function targets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) targets(v, out);
  return out;
}

/** Problems of one package's file list (paths relative to the package). */
export function checkFiles(pkg, files) {
  const set = new Set(files);
  const problems = [];
  const need = (file, why) => {
    const f = file.replace(/^\.\//, '');
    if (!set.has(f)) problems.push(`missing ${f}${why ? ` (${why})` : ''}`);
  };
  need('package.json');
  need('README.md');
  need('LICENSE', 'every package ships the MIT licence text its manifest names');
  if (!files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts')))
    problems.push('missing dist/**/*.d.ts (no type declarations)');
  const m = pkg.manifest;
  for (const t of targets(m.exports)) if (!t.includes('*')) need(t, 'named by exports');
  for (const field of ['main', 'types', 'module']) if (m[field]) need(m[field], `named by ${field}`);
  for (const t of targets(m.bin)) need(t, 'named by bin');
  for (const f of files) {
    // A scaffolding template (template/, adapter-template/) is copied out as is, tests included.
    if (/^[^/]*template\//.test(f)) continue;
    const hit = STRAY.find(([re]) => re.test(f));
    if (hit) problems.push(`stray ${f} (${hit[1]})`);
  }
  return problems;
}

export function checkTarballs(root) {
  const pkgs = publicPackages(root);
  const out = execFileSync(
    'pnpm',
    ['-r', '--filter', './packages/*', '--filter', './contrib/*', 'pack', '--dry-run', '--json'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  const listed = new Map(JSON.parse(out).map((p) => [p.name, p.files.map((f) => f.path)]));
  const problems = [];
  for (const pkg of pkgs) {
    const files = listed.get(pkg.name);
    if (!files) {
      problems.push(`[tarball] ${pkg.name}: not packed by pnpm pack`);
      continue;
    }
    for (const p of checkFiles(pkg, files)) problems.push(`[tarball] ${pkg.name}: ${p}`);
  }
  return { packages: pkgs.length, files: [...listed.values()].reduce((n, f) => n + f.length, 0), problems };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(process.argv[2] ?? '.');
  const { packages, files, problems } = checkTarballs(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(
      `[tarball] error: ${problems.length} problem(s) in the tarballs of ${packages} packages (fix the package's "files")`,
    );
    process.exit(1);
  }
  console.log(
    `[tarball] ${packages} packages, ${files} files: each has package.json, README, types and its exports; no tests, test data or build info`,
  );
}
