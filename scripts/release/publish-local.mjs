// A release, rehearsed in a temporary copy of the workspace (the checkout's versions are never
// touched): HEAD is copied, installed offline from the pnpm store and built, then `changeset version`, the template sync, the tarball checks and
// `pnpm publish -r` (which rewrites workspace: ranges) run there, publishing to the given registry.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTarballs } from './check-tarballs.mjs';
import { removeInBackground } from './cleanup.mjs';
import { syncTemplate } from './sync-template.mjs';
import { cacheDir } from './verdaccio.mjs';
import { publicPackages } from './workspace-packages.mjs';

const started = Date.now();
const say = (msg) => console.log(`[release] [${Math.round((Date.now() - started) / 1000)}s] ${msg}`);

function run(cmd, args, { cwd, what, env }) {
  const r = spawnSync(cmd, args, { cwd, env: env ?? process.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `${tail}\n[release] error: ${what} failed (${cmd} ${args.join(' ')}, exit ${r.status ?? r.signal})`,
    );
  }
  return r.stdout;
}

/** Copies a commit's tree (HEAD: what a release is made from) into a new temporary folder. */
export function copyCommit(root, ref = 'HEAD') {
  const dir = mkdtempSync(join(tmpdir(), 'kratos-release-'));
  const tar = spawnSync(
    'bash',
    ['-c', `set -o pipefail; git archive --format=tar "$0" | tar -x -C "${dir}"`, ref],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (tar.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`[release] error: cannot copy ${ref}: ${tar.stderr.trim().split('\n')[0]}`);
  }
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  return { dir, sha };
}

function seedCache(from, to) {
  mkdirSync(to, { recursive: true });
  if (!existsSync(from)) return;
  for (const f of readdirSync(from)) {
    if (!existsSync(join(to, f))) copyFileSync(join(from, f), join(to, f));
  }
}

/**
 * Copies HEAD, installs it offline from the pnpm store, builds it (turbo, its cache in
 * $KRATOS_CACHE/turbo-release: only packages changed since the last run are rebuilt), versions it
 * and publishes every public package to `registry`.
 * Returns { dir, packages: [{ name, version }] }.
 */
export function publishLocal({ root, registry, token, ref = 'HEAD', keep = false }) {
  const { dir, sha } = copyCommit(root, ref);
  try {
    return versionAndPublish({ root, dir, sha, ref, registry, token });
  } catch (e) {
    if (keep) say(`kept the versioned copy: ${dir}`);
    else removeInBackground(dir);
    throw e;
  }
}

function versionAndPublish({ root, dir, sha, ref, registry, token }) {
  say(
    `copied ${ref} (${sha}) to ${dir} (uncommitted changes are not part of a release); pnpm install --offline`,
  );
  try {
    run('pnpm', ['install', '--frozen-lockfile', '--offline', '--reporter=silent'], {
      cwd: dir,
      what: 'pnpm install --offline',
    });
  } catch {
    // The store lacks something HEAD's lockfile names (the checkout was installed from another lockfile).
    say('the pnpm store lacks packages of this lockfile: pnpm install --prefer-offline');
    run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], {
      cwd: dir,
      what: 'pnpm install in the copy',
    });
  }
  // The checkout's own turbo cache (filled by scripts/test.sh's build step) has the same task hashes
  // for the same sources: its entries are copied into ours (outside the clone), so a package built
  // there is not built again here.
  const cache = join(cacheDir, 'turbo-release');
  seedCache(join(root, '.turbo/cache'), cache);
  say('building the public packages (turbo, cached outside the clone)');
  run(
    'pnpm',
    [
      '-s',
      'turbo',
      'run',
      'build',
      '--output-logs=errors-only',
      `--cache-dir=${cache}`,
      '--filter=./packages/*',
      '--filter=./contrib/*',
    ],
    { cwd: dir, what: 'the build' },
  );

  say('changeset version');
  run('pnpm', ['exec', 'changeset', 'version'], { cwd: dir, what: 'changeset version' });
  for (const c of syncTemplate(dir)) say(`kratos new template: ${c}`);
  const packages = publicPackages(dir).map(({ name, version }) => ({ name, version }));
  say(`versions: ${packages.map((p) => `${p.name.replace('@kratos/', '')}@${p.version}`).join(' ')}`);

  const checked = checkTarballs(dir);
  if (checked.problems.length) {
    for (const p of checked.problems) console.error(p);
    throw new Error(
      `[release] error: ${checked.problems.length} problem(s) in the tarballs (fix the package's "files")`,
    );
  }
  say(`tarballs checked: ${checked.packages} packages, ${checked.files} files`);

  // The copy's own .npmrc (a throwaway) carries the registry's token; npm reads nothing else of ours.
  appendFileSync(join(dir, '.npmrc'), `\n${registry.replace(/^http:/, '')}:_authToken=${token}\n`);
  say(`pnpm publish -r to ${registry}`);
  const out = run(
    'pnpm',
    [
      '-r',
      '--filter',
      './packages/*',
      '--filter',
      './contrib/*',
      'publish',
      '--no-git-checks',
      '--access',
      'public',
      '--registry',
      registry,
      '--report-summary',
    ],
    { cwd: dir, what: 'pnpm publish -r' },
  );
  const summary = JSON.parse(readFileSync(join(dir, 'pnpm-publish-summary.json'), 'utf8'));
  const published = new Set(summary.publishedPackages.map((p) => `${p.name}@${p.version}`));
  const missing = packages.filter((p) => !published.has(`${p.name}@${p.version}`));
  if (missing.length) {
    throw new Error(
      `${out.slice(-2000)}\n[release] error: not published: ${missing.map((p) => `${p.name}@${p.version}`).join(', ')}`,
    );
  }
  say(`published ${published.size} packages`);
  return { dir, packages };
}

/** fetch, tried again when a kept-alive connection was closed under it. */
async function fetchRetrying(url, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url);
    } catch (e) {
      if (i >= tries) throw new Error(`[release] error: GET ${url}: ${e.cause?.message ?? e.message}`);
    }
  }
}

/**
 * Reads every published manifest back from the registry: no `workspace:` range is left, and each
 * @kratos/* dependency or peer dependency names a version that was published (the 404 a user hit
 * for @kratos/selector, a dependency of http and grpc that was never published).
 */
export async function verifyPublished(registry, packages) {
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const problems = [];
  for (const { name, version } of packages) {
    const r = await fetchRetrying(`${registry}${name.replace('/', '%2f')}/${version}`);
    if (!r.ok) {
      problems.push(`${name}@${version}: the registry answers ${r.status}`);
      continue;
    }
    const m = await r.json();
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(m[field] ?? {})) {
        if (String(range).startsWith('workspace:'))
          problems.push(`${name}@${version}: ${field} ${dep} is still ${range}`);
        if (!dep.startsWith('@kratos/')) continue;
        const have = versions.get(dep);
        if (!have) problems.push(`${name}@${version}: ${field} ${dep}@${range} is not a published package`);
        else if (range.replace(/^[\^~]/, '') !== have)
          problems.push(`${name}@${version}: ${field} ${dep}@${range} does not name the published ${have}`);
      }
    }
  }
  if (problems.length) {
    for (const p of problems) console.error(`[release] ${p}`);
    throw new Error(
      `[release] error: ${problems.length} published manifest(s) name what the registry does not have`,
    );
  }
  say(
    `published manifests checked: every @kratos/* dependency names a published version, no workspace: ranges`,
  );
}
