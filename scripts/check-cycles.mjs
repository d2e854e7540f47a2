// Checks the dependency rules of ARCHITECTURE.md: @kratos/core has no runtime dependency,
// packages/* never depend on contrib/*, contrib/* never on each other, and no package cycle.
import { workspacePackages } from './workspace.mjs';

const all = workspacePackages(['packages', 'contrib']);
const byName = new Map(all.map((p) => [p.pkg.name, p]));
const problems = [];
const edges = new Map();
for (const p of all) {
  const deps = { ...p.pkg.dependencies, ...p.pkg.peerDependencies };
  const internal = Object.keys(deps).filter((d) => byName.has(d));
  edges.set(p.pkg.name, internal);
  if (p.pkg.name === '@kratos/core' && Object.keys(p.pkg.dependencies ?? {}).length > 0) {
    problems.push(
      `@kratos/core must have no runtime dependencies, has: ${Object.keys(p.pkg.dependencies).join(', ')}`,
    );
  }
  for (const d of internal) {
    const target = byName.get(d);
    if (p.group === 'packages' && target.group === 'contrib')
      problems.push(`${p.pkg.name} (packages/) depends on ${d} (contrib/)`);
    if (p.group === 'contrib' && target.group === 'contrib')
      problems.push(`${p.pkg.name} depends on another contrib package ${d}`);
  }
}
const state = new Map();
const visit = (n, path) => {
  if (state.get(n) === 'done') return;
  if (state.get(n) === 'active') {
    problems.push(`dependency cycle: ${[...path.slice(path.indexOf(n)), n].join(' -> ')}`);
    return;
  }
  state.set(n, 'active');
  for (const d of edges.get(n) ?? []) visit(d, [...path, n]);
  state.set(n, 'done');
};
for (const n of edges.keys()) visit(n, []);
if (problems.length) {
  for (const p of problems) console.error(`✗ ${p}`);
  process.exit(1);
}
console.log(`✓ ${all.length} packages: dependency rules hold, no cycles`);
