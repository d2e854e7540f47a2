import type { Node, NodeFilter } from '@kratos/core';

/** Keeps nodes whose instance version equals `version` (Go Kratos' `filter.Version`). */
export function versionFilter(version: string): NodeFilter {
  return (_ctx, nodes) => nodes.filter((n) => n.version === version);
}

/**
 * Keeps nodes whose metadata has every given key with the given value. A value of `'*'` only asks
 * for the key to be present; an array accepts any of its values.
 */
export function metadataFilter(metadata: Readonly<Record<string, string | readonly string[]>>): NodeFilter {
  const wanted = Object.entries(metadata);
  const matches = (node: Node) => {
    const md = node.metadata;
    for (const [key, want] of wanted) {
      if (!Object.hasOwn(md, key)) return false;
      const have = md[key]!;
      if (typeof want === 'string') {
        if (want !== '*' && have !== want) return false;
      } else if (!want.includes(have)) return false;
    }
    return true;
  };
  return (_ctx, nodes) => nodes.filter(matches);
}
