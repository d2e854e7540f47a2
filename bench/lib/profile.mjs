// Reads a V8 .cpuprofile (node --cpu-prof) into self-time tables: by function and by owner
// (a kratos-ts package, an npm package, Node's own code, GC, idle).
import { readFile } from 'node:fs/promises';

function owner(url, fn) {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pnpm = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url);
  if (pnpm) return pnpm[1].replace('+', '/');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const ws = /\/(packages|contrib)\/([^/]+)\//.exec(url);
  if (ws) return `kratos-ts ${ws[1]}/${ws[2]}`;
  if (url.startsWith('node:')) return 'node (internals)';
  if (url.includes('/bench/')) return 'bench (contender, generated code)';
  return url;
}

function shortUrl(url) {
  return url
    .replace(/^file:\/\/.*?\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(packages|contrib|bench)\//, '$1/');
}

/** { totalMs, byFunction: [{ name, where, ms, pct }], byOwner: [{ owner, ms, pct }] } */
export async function summarizeProfile(file, top = 15) {
  const prof = JSON.parse(await readFile(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const owners = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}\t${url}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const o = owner(url, name);
    owners.set(o, (owners.get(o) ?? 0) + us);
  }
  const pct = (us) => (100 * us) / total;
  return {
    totalMs: total / 1000,
    byFunction: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [name, where] = key.split('\t');
        return { name, where: where.startsWith(':') ? '' : shortUrl(where), ms: us / 1000, pct: pct(us) };
      }),
    byOwner: [...owners]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([o, us]) => ({ owner: o, ms: us / 1000, pct: pct(us) })),
  };
}
