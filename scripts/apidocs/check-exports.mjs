// The check TypeDoc cannot make here (it leaves types of other packages than its project's alone):
// every type a public declaration names must be importable from one of its package's entries.
// A type declared in the package but exported by no entry of it is reported, as api-extractor's
// ae-forgotten-export: users can see it in a signature but cannot name it.
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * @param ts the TypeScript module
 * @param {{ dir: string, name: string, entryFiles: string[] }[]} packages
 * @param {import('typescript').Program} program a program whose roots include every entry file
 * @returns {string[]} one line per missing export: `<package>: <Type>, used by <Export>`
 */
export function findMissingExports(ts, packages, program) {
  const checker = program.getTypeChecker();
  const resolve = (sym) => (sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
  const problems = [];
  for (const pkg of packages) {
    const root = realpathSync(pkg.dir) + sep;
    const exported = new Set();
    for (const file of pkg.entryFiles) {
      const sf = program.getSourceFile(file);
      const mod = sf && checker.getSymbolAtLocation(sf);
      if (!mod) throw new Error(`no module for ${file}`);
      for (const s of checker.getExportsOfModule(mod)) exported.add(resolve(s));
    }
    const inPackage = (sym) =>
      sym.declarations?.some((d) => realpathSync(d.getSourceFile().fileName).startsWith(root)) ?? false;
    const seen = new Set();
    for (const owner of exported) {
      if (!inPackage(owner)) continue;
      const visit = (node) => {
        let name;
        if (ts.isTypeReferenceNode(node)) name = node.typeName;
        else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
        else if (ts.isTypeQueryNode(node)) name = node.exprName;
        if (name) {
          let sym = resolve(
            checker.getSymbolAtLocation(ts.isQualifiedName(name) ? leftmost(ts, name) : name),
          );
          if (sym && sym.flags & ts.SymbolFlags.EnumMember) sym = sym.parent;
          if (
            sym &&
            !(sym.flags & ts.SymbolFlags.TypeParameter) &&
            inPackage(sym) &&
            !exported.has(sym) &&
            !seen.has(sym)
          ) {
            seen.add(sym);
            problems.push(
              `${pkg.name}: ${sym.name}, used by ${owner.name}, is exported by no entry of the package`,
            );
          }
        }
        ts.forEachChild(node, visit);
      };
      for (const d of owner.declarations ?? []) visit(d);
    }
  }
  return problems;
}

function leftmost(ts, name) {
  let n = name;
  while (ts.isQualifiedName(n)) n = n.left;
  return n;
}
