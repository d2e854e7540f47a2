import type { Codec } from '@kratos/core';
import { parse, stringify } from 'yaml';

/** Media types read as YAML; register the extras with `registry.register(yamlCodec, ...YAML_CONTENT_TYPES.slice(1))`. */
export const YAML_CONTENT_TYPES: readonly string[] = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Options of {@link createYamlCodec}. */
export interface YamlCodecOptions {
  /** Spaces per indentation level written. Default 2. */
  indent?: number;
  /** Column at which long strings are folded; 0 never folds. Default 0 (output is stable and greppable). */
  lineWidth?: number;
  /** Aliases allowed in one document (guards against "billion laughs"). Default 100. */
  maxAliasCount?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * YAML 1.2 (core schema) on the `yaml` library: name `yaml`, content type `application/yaml`.
 * Empty input gives `{}` (an empty body is an empty message), like the JSON codec. Malformed
 * input, duplicate keys and more than one document throw.
 */
export function createYamlCodec(options: YamlCodecOptions = {}): Codec {
  const indent = options.indent ?? 2;
  const lineWidth = options.lineWidth ?? 0;
  const maxAliasCount = options.maxAliasCount ?? 100;
  return {
    name: 'yaml',
    contentType: 'application/yaml',
    marshal(value) {
      return encoder.encode(stringify(value ?? null, { indent, lineWidth }));
    },
    unmarshal(data) {
      if (data.length === 0) return {};
      let text: string;
      try {
        text = decoder.decode(data);
      } catch (error) {
        throw new TypeError('yaml codec: body is not valid UTF-8', { cause: error });
      }
      try {
        const value = parse(text, { maxAliasCount, uniqueKeys: true, prettyErrors: true });
        return value === undefined || (value === null && text.trim() === '') ? {} : value;
      } catch (error) {
        throw new TypeError(`yaml codec: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** The default {@link createYamlCodec}. */
export const yamlCodec: Codec = createYamlCodec();
