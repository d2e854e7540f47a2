import type { KeyValue } from '@kratos/core';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { configError } from './errors.ts';
import { isMapping, normalize, setOwn, type Tree } from './tree.ts';
import type { DecodeFunc, Decoder } from './types.ts';

/** A decode failure with a 1-based position in the document. */
export class DecodePositionError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.line = line;
    this.column = column;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** 1-based line and column of a 0-based offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** The offset of a JSON syntax error, from V8's message or, when it names none, by bisection. */
function jsonErrorOffset(text: string, message: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (/end of JSON input/.test(message)) return text.length;
  // "Unexpected token 'x', ... is not valid JSON" names no position: find the shortest prefix that
  // already fails with it (longer prefixes keep failing; shorter ones only run out of input).
  const failsAt = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      return /^Unexpected token/.test((e as Error).message);
    }
  };
  let lo = 1;
  let hi = text.length;
  if (!failsAt(hi)) return 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsAt(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

export const decodeJson: DecodeFunc = (data) => {
  const text = utf8.decode(data);
  try {
    return JSON.parse(text);
  } catch (e) {
    const raw = (e as Error).message;
    const token = /^Unexpected token '([\s\S])'/.exec(raw);
    const message = token
      ? `unexpected character ${JSON.stringify(token[1])}`
      : raw.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '');
    const { line, column } = positionAt(text, jsonErrorOffset(text, raw));
    throw new DecodePositionError(message, line, column, e);
  }
};

export const decodeYaml: DecodeFunc = (data) => {
  const text = utf8.decode(data);
  try {
    // `merge` keeps YAML 1.1 merge keys (`<<: *defaults`) working, as in Go's yaml.v3.
    return parseYaml(text, { merge: true, prettyErrors: true });
  } catch (e) {
    if (e instanceof YAMLParseError && e.linePos) {
      const message = e.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
      throw new DecodePositionError(message, e.linePos[0].line, e.linePos[0].col, e);
    }
    throw e;
  }
};

export const decodeToml: DecodeFunc = (data) => {
  const text = utf8.decode(data);
  try {
    return parseToml(text);
  } catch (e) {
    const err = e as { line?: unknown; column?: unknown; message: string };
    if (typeof err.line === 'number' && typeof err.column === 'number') {
      const message = err.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? err.message;
      throw new DecodePositionError(message, err.line, err.column, e);
    }
    throw e;
  }
};

/** The built-in decoders by format name. */
export const builtinDecoders: Readonly<Record<string, DecodeFunc>> = {
  json: decodeJson,
  yaml: decodeYaml,
  yml: decodeYaml,
  toml: decodeToml,
};

function asFunc(d: Decoder): DecodeFunc {
  return typeof d === 'function' ? d : (data) => d.unmarshal(data);
}

/** Resolves decoders by format: the user's first, then the built-ins. */
export function decoderTable(extra: Readonly<Record<string, Decoder>> = {}): Map<string, DecodeFunc> {
  const table = new Map<string, DecodeFunc>(Object.entries(builtinDecoders));
  for (const [name, d] of Object.entries(extra)) table.set(name.toLowerCase(), asFunc(d));
  return table;
}

/**
 * Decodes one KeyValue into a mapping. A KeyValue without a format is one value at its key
 * (Go Kratos' default decoder: `a.b` -> `{a: {b: "<value>"}}`), as the env source produces.
 */
export function decodeKeyValue(kv: KeyValue, table: Map<string, DecodeFunc>): Tree {
  if (kv.format === '') {
    const root: Tree = {};
    const parts = kv.key.split('.');
    let cur = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) setOwn(cur, part, utf8.decode(kv.value));
      else {
        const next: Tree = {};
        setOwn(cur, part, next);
        cur = next;
      }
    });
    return root;
  }
  const format = kv.format.toLowerCase();
  const decode = table.get(format);
  if (!decode) {
    throw configError(
      'CONFIG_DECODE',
      `config: no decoder for format "${kv.format}" of ${kv.key} (known: ${[...table.keys()].join(', ')}; add one with the \`decoders\` option)`,
      { key: kv.key, format: kv.format },
    );
  }
  let decoded: unknown;
  try {
    decoded = decode(kv.value, kv.key);
  } catch (e) {
    const err = e as { line?: unknown; column?: unknown; message?: unknown };
    const hasPos = typeof err.line === 'number' && typeof err.column === 'number';
    const where = hasPos ? `:${err.line}:${err.column}` : '';
    const what = typeof err.message === 'string' ? err.message : String(e);
    const metadata: Record<string, string> = { key: kv.key, format };
    if (hasPos) {
      metadata.line = String(err.line);
      metadata.column = String(err.column);
    }
    throw configError(
      'CONFIG_DECODE',
      `config: malformed ${format} in ${kv.key}${where}${hasPos ? ` (line ${err.line}, column ${err.column})` : ''}: ${what}`,
      metadata,
      e,
    );
  }
  const tree = normalize(decoded ?? {});
  if (!isMapping(tree)) {
    throw configError(
      'CONFIG_DECODE',
      `config: the top level of ${kv.key} must be a mapping, not ${Array.isArray(tree) ? 'an array' : typeof tree}`,
      { key: kv.key, format },
    );
  }
  return tree;
}
