import { configError } from './errors.ts';
import { clone, isMapping, lookup, type Tree } from './tree.ts';

const PLACEHOLDER = /\$\{(.*?)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;

/** A placeholder with no default whose key is nowhere in the config. */
export interface MissingPlaceholder {
  /** Where the placeholder is written. */
  key: string;
  placeholder: string;
}

export interface ResolveOptions {
  missing: 'empty' | 'keep' | 'error';
  onMissing?: (miss: MissingPlaceholder) => void;
}

/**
 * Replaces `${KEY}` and `${KEY:default}` in every string of `root`, in place, against the
 * merged tree (Go Kratos' resolver). The default is everything after the first colon, so
 * `${ADDR:0.0.0.0:8000}` defaults to `0.0.0.0:8000`. A referenced value that holds
 * placeholders itself is resolved first; a cycle is an error. When a string is exactly one
 * placeholder and the key holds a number, boolean, array or mapping, that value is kept as is
 * (Go would format it to a string); defaults and embedded placeholders are text.
 */
export function resolvePlaceholders(root: Tree, options: ResolveOptions): void {
  const resolved = new Set<string>();
  const resolving: string[] = [];

  const resolveKey = (name: string, from: string): { found: boolean; value: unknown } => {
    const found = lookup(root, name);
    if (!found.found) return found;
    if (!resolved.has(name)) {
      if (resolving.includes(name)) {
        throw configError(
          'CONFIG_PLACEHOLDER',
          `config: placeholder cycle ${[...resolving, name].map((k) => `\${${k}}`).join(' -> ')} (at ${from})`,
          { key: from, placeholder: name },
        );
      }
      resolving.push(name);
      try {
        visit(name, found.value, (v) => setAt(root, name, v));
      } finally {
        resolving.pop();
      }
    }
    return lookup(root, name);
  };

  const expand = (key: string, s: string): unknown => {
    if (!s.includes('${')) return s;
    const whole = WHOLE.exec(s);
    if (whole) {
      const inner = (whole[1] ?? '').trim();
      const colon = inner.indexOf(':');
      const name = colon < 0 ? inner : inner.slice(0, colon);
      const r = resolveKey(name, key);
      // A copy: two keys must not share one object of the tree.
      if (r.found && typeof r.value !== 'string' && r.value !== null) return clone(r.value);
    }
    return s.replace(PLACEHOLDER, (text, body: string) => {
      const inner = body.trim();
      const colon = inner.indexOf(':');
      const name = colon < 0 ? inner : inner.slice(0, colon);
      const r = resolveKey(name, key);
      if (r.found)
        return r.value === null
          ? ''
          : typeof r.value === 'object'
            ? JSON.stringify(r.value)
            : String(r.value);
      if (colon >= 0) return inner.slice(colon + 1);
      options.onMissing?.({ key, placeholder: text });
      if (options.missing === 'error') {
        throw configError(
          'CONFIG_PLACEHOLDER',
          `config: ${text} at ${key} has no default and "${name}" is not in the config`,
          { key, placeholder: text },
        );
      }
      return options.missing === 'keep' ? text : '';
    });
  };

  // Walks a subtree at `key`, replacing strings; `set` writes a replaced scalar back.
  const visit = (key: string, v: unknown, set: (v: unknown) => void) => {
    if (resolved.has(key)) return;
    if (typeof v === 'string') {
      const next = expand(key, v);
      if (next !== v) set(next);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        visit(`${key}.${i}`, x, (n) => {
          v[i] = n;
        });
      });
    } else if (isMapping(v)) {
      for (const k of Object.keys(v)) {
        visit(key === '' ? k : `${key}.${k}`, v[k], (n) => {
          v[k] = n;
        });
      }
    }
    resolved.add(key);
  };

  visit('', root, () => {});
}

function setAt(root: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop() as string;
  const parent = lookup(root, parts.join('.')).value;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isMapping(parent)) parent[last] = value;
}
