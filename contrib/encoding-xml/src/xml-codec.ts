import type { Codec } from '@kratos/core';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** Media types read as XML; register the extra with `registry.register(xmlCodec, ...XML_CONTENT_TYPES.slice(1))`. */
export const XML_CONTENT_TYPES: readonly string[] = ['application/xml', 'text/xml'];

/** Options of {@link createXmlCodec}. */
export interface XmlCodecOptions {
  /** Element wrapping the value written. Default `root`. Any single root element is read. */
  rootName?: string;
  /** Read numbers and booleans in element text as numbers and booleans. Default true. */
  parseValues?: boolean;
  /** Deepest element nesting read. Default 100. */
  maxDepth?: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function fail(message: string, cause?: unknown): TypeError {
  return new TypeError(`xml codec: ${message}`, cause === undefined ? undefined : { cause });
}

/** Control characters XML 1.0 forbids, plus CR (parsers turn it into LF, so it would not round-trip). */
function hasForbiddenChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a) return true;
  }
  return false;
}

/** Checks element names and turns values into what the builder writes faithfully. */
function prepare(value: unknown, path: string): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => prepare(v, path));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!NAME.test(k) || /^xml/i.test(k)) throw fail(`"${k}" at ${path} is not a valid XML element name`);
      out[k] = prepare(v, `${path}.${k}`);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    throw fail(`${value} at ${path} cannot be written`);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && hasForbiddenChar(value)) {
    throw fail(`the string at ${path} has characters XML 1.0 cannot carry`);
  }
  return value;
}

/** Drops the whitespace between child elements (indentation), which `trimValues: false` keeps as `#text`. */
function dropLayout(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = dropLayout(value[i]);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const t = o['#text'];
    if (typeof t === 'string' && t.trim() === '') delete o['#text'];
    for (const k of Object.keys(o)) o[k] = dropLayout(o[k]);
  }
  return value;
}

/**
 * XML on fast-xml-parser: name `xml`, content type `application/xml`. A JSON-shaped value is
 * written as elements inside `<root>`: object keys become elements, arrays repeat their element,
 * `null` becomes an empty element; attributes are neither written nor read. Reading parses
 * numbers and booleans (`parseValues`), turns repeated elements into arrays and an empty root into
 * `{}`. Malformed XML, several roots and any DOCTYPE (no entity expansion) are rejected.
 */
export function createXmlCodec(options: XmlCodecOptions = {}): Codec {
  const rootName = options.rootName ?? 'root';
  if (!NAME.test(rootName)) throw new TypeError(`xml codec: rootName "${rootName}" is not a valid XML name`);
  const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false });
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: options.parseValues ?? true,
    numberParseOptions: { hex: false, leadingZeros: false, eNotation: true },
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: options.maxDepth ?? 100,
  });
  return {
    name: 'xml',
    contentType: 'application/xml',
    marshal(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw fail(`can only marshal an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
      return encoder.encode(builder.build({ [rootName]: prepare(value, rootName) }));
    },
    unmarshal(data) {
      if (data.length === 0) return {};
      let text: string;
      try {
        text = decoder.decode(data);
      } catch (error) {
        throw fail('body is not valid UTF-8', error);
      }
      if (/<!DOCTYPE/i.test(text)) throw fail('DOCTYPE is not allowed');
      let doc: unknown;
      try {
        doc = parser.parse(text, true);
      } catch (error) {
        throw fail((error as Error).message, error);
      }
      const roots = typeof doc === 'object' && doc !== null ? Object.values(doc) : [];
      if (roots.length !== 1 || Array.isArray(roots[0])) throw fail('want exactly one root element');
      const root = dropLayout(roots[0]);
      return root === '' ? {} : root;
    },
  };
}

/** The default {@link createXmlCodec}. */
export const xmlCodec: Codec = createXmlCodec();
