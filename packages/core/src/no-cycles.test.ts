import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));
const packageJson = JSON.parse(readFileSync(join(src, '..', 'package.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** Every non-test source file of core. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file, `import type` included: types cycle too. */
function imports(file: string): { local: string[]; bare: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const bare: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gms)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) local.push(resolve(dirname(file), spec));
    else bare.push(spec);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) local.push(resolve(dirname(file), spec));
    else bare.push(spec);
  }
  return { local, bare };
}

/** The first import cycle found by depth-first search, as a list of files, or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('@kratos/core structure', () => {
  const files = sources(src);
  const graph = new Map(files.map((f) => [f, imports(f).local]));

  it('finds the sources and resolves every relative import to one of them', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(graph.get(join(src, 'index.ts'))!.length).toBeGreaterThan(20);
    expect(graph.get(join(src, 'app', 'app.ts'))).toContain(join(src, 'log', 'helper.ts'));
    for (const [file, deps] of graph) {
      for (const dep of deps)
        expect(files, `${relative(src, file)} imports ${relative(src, dep)}`).toContain(dep);
    }
  });

  it('has no import cycle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(src, f)).join(' -> ')).toBeUndefined();
  });

  it('the cycle finder does find cycles', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toBeUndefined();
  });

  it('imports nothing at run time but node: built-ins', () => {
    const bare = files.flatMap((f) => imports(f).bare.map((spec) => `${relative(src, f)}: ${spec}`));
    expect(bare.filter((line) => !/: node:/.test(line))).toEqual([]);
  });

  it('package.json declares no dependencies', () => {
    expect(packageJson.dependencies).toBeUndefined();
    expect(packageJson.peerDependencies).toBeUndefined();
    expect(packageJson.optionalDependencies).toBeUndefined();
  });
});
