/** One segment of a google.api.http path template. */
export type TemplateSegment = { kind: 'literal'; value: string } | { kind: 'star' } | { kind: 'dstar' };

/** A variable: the field path it binds and which segments (index range, end exclusive) it covers. */
export interface TemplateVariable {
  fieldPath: string;
  start: number;
  end: number;
}

/** A parsed template: `/v1/{name=messages/*}:cancel`. */
export interface PathTemplate {
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  readonly verb: string | undefined;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function fail(template: string, why: string): never {
  throw new TypeError(`invalid http path template "${template}": ${why}`);
}

function parseSegment(template: string, text: string): TemplateSegment {
  if (text === '*') return { kind: 'star' };
  if (text === '**') return { kind: 'dstar' };
  if (text === '') fail(template, 'empty segment');
  if (/[{}*]/.test(text)) fail(template, `bad segment "${text}"`);
  return { kind: 'literal', value: text };
}

/**
 * Parses a template (`Template = "/" Segments [":" Verb]`, see google/api/http.proto).
 * `{id}` is short for `{id=*}`. Throws a TypeError naming the template when it is malformed.
 */
export function parsePathTemplate(template: string): PathTemplate {
  if (typeof template !== 'string' || !template.startsWith('/'))
    fail(String(template), 'must start with "/"');
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  let verb: string | undefined;
  let i = 1;
  const n = template.length;
  if (n === 1) return { source: template, segments, variables, verb };
  while (i < n) {
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      if (close === -1) fail(template, 'unclosed "{"');
      const inner = template.slice(i + 1, close);
      const eq = inner.indexOf('=');
      const fieldPath = eq === -1 ? inner : inner.slice(0, eq);
      if (!IDENT.test(fieldPath)) fail(template, `bad field path "${fieldPath}"`);
      if (variables.some((v) => v.fieldPath === fieldPath))
        fail(template, `field "${fieldPath}" bound twice`);
      const start = segments.length;
      if (eq === -1) segments.push({ kind: 'star' });
      else {
        const pattern = inner.slice(eq + 1);
        if (pattern === '') fail(template, `empty pattern for "${fieldPath}"`);
        for (const part of pattern.split('/')) segments.push(parseSegment(template, part));
      }
      variables.push({ fieldPath, start, end: segments.length });
      i = close + 1;
    } else {
      let j = i;
      while (j < n && template[j] !== '/' && template[j] !== ':') j++;
      // a ':' inside a literal segment only starts the verb when it is in the last segment
      if (j < n && template[j] === ':' && template.indexOf('/', j) !== -1) {
        j = template.indexOf('/', j);
      }
      segments.push(parseSegment(template, template.slice(i, j)));
      i = j;
    }
    if (i >= n) break;
    if (template[i] === ':') {
      verb = template.slice(i + 1);
      if (verb === '' || /[/{}*]/.test(verb)) fail(template, `bad verb "${verb}"`);
      break;
    }
    if (template[i] !== '/') fail(template, `unexpected "${template[i]}" at ${i}`);
    i++;
    if (i >= n) fail(template, 'trailing "/"');
  }
  for (let s = 0; s < segments.length; s++) {
    if (segments[s]!.kind === 'dstar' && s !== segments.length - 1)
      fail(template, '"**" must be the last segment');
  }
  return { source: template, segments, variables, verb };
}

/** The shape two templates conflict on: variables replaced by their patterns. */
export function templateShape(t: PathTemplate): string {
  const parts = t.segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'star' ? '*' : '**'));
  return `/${parts.join('/')}${t.verb === undefined ? '' : `:${t.verb}`}`;
}

/** The find-my-way parameter name of a native route's `i`-th variable (`p0`, `p1`, ...). */
export function nativeParamName(i: number): string {
  return `p${i}`;
}

/**
 * The find-my-way path for a template whose variables are all single whole segments (`{id}`):
 * `/v1/users/:p0`. Undefined when the template needs the compiled matcher.
 */
export function nativeRoutePath(t: PathTemplate): string | undefined {
  if (t.verb !== undefined) return undefined;
  const parts: string[] = [];
  let v = 0;
  for (let s = 0; s < t.segments.length; s++) {
    const seg = t.segments[s]!;
    const variable = t.variables[v];
    if (variable !== undefined && variable.start === s) {
      if (variable.end !== s + 1 || seg.kind !== 'star') return undefined;
      parts.push(`:${nativeParamName(v)}`);
      v++;
      continue;
    }
    if (seg.kind !== 'literal' || /[:*()]/.test(seg.value)) return undefined;
    parts.push(seg.value);
  }
  return `/${parts.join('/')}`;
}

/** The find-my-way wildcard route a compiled matcher hangs under: the literal prefix + `*`. */
export function wildcardRoutePath(t: PathTemplate): string {
  const parts: string[] = [];
  // with a verb the last segment carries `:verb`, so it cannot be part of the static prefix
  const usable = t.verb === undefined ? t.segments.length : t.segments.length - 1;
  for (let i = 0; i < usable; i++) {
    const seg = t.segments[i]!;
    if (seg.kind !== 'literal' || /[:*()]/.test(seg.value)) break;
    parts.push(seg.value);
  }
  return parts.length === 0 ? '/*' : `/${parts.join('/')}/*`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches a raw (still percent-encoded) URL path against a template; returns the decoded value
 * of each variable in order, or undefined when it does not match. Throws URIError on bad escapes.
 */
export type TemplateMatcher = (rawPath: string) => string[] | undefined;

/** Compiles a template into a {@link TemplateMatcher} (one RegExp, built once per route). */
export function compileMatcher(t: PathTemplate): TemplateMatcher {
  let re = '^';
  let v = 0;
  for (let s = 0; s < t.segments.length; s++) {
    const variable = t.variables[v];
    if (variable !== undefined && variable.start === s) re += '/(';
    else re += '/';
    const seg = t.segments[s]!;
    re += seg.kind === 'literal' ? escapeRegExp(seg.value) : seg.kind === 'star' ? '[^/]+?' : '.*';
    if (variable !== undefined && s + 1 === variable.end) {
      re += ')';
      v++;
    }
  }
  if (t.verb !== undefined) re += `:${escapeRegExp(t.verb)}`;
  re += '$';
  const regexp = new RegExp(re);
  const count = t.variables.length;
  return (rawPath) => {
    const m = regexp.exec(rawPath);
    if (m === null) return undefined;
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = decodeURIComponent(m[i + 1]!);
    return out;
  };
}

/**
 * Expands a template with variable values (client side). Values of single-segment variables are
 * fully percent-encoded; values of multi-segment ones (`{name=messages/*}`, `{path=**}`) keep `/`.
 */
export function expandTemplate(t: PathTemplate, values: readonly string[]): string {
  let out = '';
  let v = 0;
  for (let s = 0; s < t.segments.length; s++) {
    const variable = t.variables[v];
    if (variable !== undefined && variable.start === s) {
      const value = values[v] ?? '';
      const multi = variable.end - variable.start > 1 || t.segments[s]!.kind === 'dstar';
      out += `/${multi ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value)}`;
      s = variable.end - 1;
      v++;
      continue;
    }
    const seg = t.segments[s]!;
    out += `/${seg.kind === 'literal' ? seg.value : ''}`;
  }
  if (out === '') out = '/';
  if (t.verb !== undefined) out += `:${t.verb}`;
  return out;
}
