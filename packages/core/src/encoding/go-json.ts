// JSON as Go's encoding/json writes it, for records Go Kratos services read and write byte for
// byte (registry records, annotations, query parameters). One place for the two ways Go's output
// differs from JSON.stringify: HTML-sensitive characters are escaped, and map keys are sorted.

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/** `JSON.stringify(value)` with `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's `json.Marshal` does. */
export function goJson(value: unknown): string {
  return escapeGo(JSON.stringify(value) ?? 'null');
}

/**
 * A Go `map[string]string` as `json.Marshal` writes it: keys in Go's order (byte order of their
 * UTF-8, not JavaScript's UTF-16 order; a JS object would also put integer-like keys first),
 * values as strings, HTML-sensitive characters escaped.
 */
export function goStringMapJson(map: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(map).sort(compareUtf8);
  let body = '';
  for (const k of keys)
    body += `${body === '' ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(String(map[k]))}`;
  return escapeGo(`{${body}}`);
}

function escapeGo(json: string): string {
  return json.replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!);
}

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

/**
 * Orders strings as Go's `sort.Strings` does (bytes of their UTF-8, i.e. code points). UTF-16 order
 * differs only where a surrogate pair (a code point above U+FFFF) meets U+E000-U+FFFF: the pair
 * sorts after.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = isSurrogate(x);
    if (sx !== isSurrogate(y)) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
