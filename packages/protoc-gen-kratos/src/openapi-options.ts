import { parseBool } from './plugin-support.ts';

/** Options of protoc-gen-kratos-openapi. */
export interface OpenApiOptions {
  /** `format=yaml|json` (default yaml). */
  format: 'yaml' | 'json';
  /** `filename` (default `openapi.yaml` / `openapi.json`). */
  filename: string | undefined;
  /** `title` (default `<Service> API` for one service, else `API`). */
  title: string | undefined;
  /** `description` (default: the comment of the only service). */
  description: string | undefined;
  /** `version` (default `0.0.1`, as gnostic's protoc-gen-openapi). */
  version: string;
  /** `naming=json|proto` (default json): property names as protobuf JSON names or proto names. */
  naming: 'json' | 'proto';
  /** `omitempty` (default true): as protoc-gen-kratos-http. */
  omitEmpty: boolean;
  /** `omitempty_prefix` (default ''). */
  omitEmptyPrefix: string;
  /**
   * `envelope` (default false): describe bodies in the `{ code, message, data }` envelope of the
   * @kratos/http encoder recipe: request bodies as `{ data }`, replies as `{ code, message, data }`,
   * errors as `{ code, message, data: null }`.
   */
  envelope: boolean;
}

/** Parses the plugin's `key=value,...` parameter; throws on an unknown key or value. */
export function parseOptions(parameter: string): OpenApiOptions {
  const o: OpenApiOptions = {
    format: 'yaml',
    filename: undefined,
    title: undefined,
    description: undefined,
    version: '0.0.1',
    naming: 'json',
    omitEmpty: true,
    omitEmptyPrefix: '',
    envelope: false,
  };
  for (const part of parameter.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    switch (key) {
      case 'format':
        if (value !== 'yaml' && value !== 'json') throw new Error(`option format: expected yaml or json`);
        o.format = value;
        break;
      case 'filename':
        o.filename = value;
        break;
      case 'title':
        o.title = value;
        break;
      case 'description':
        o.description = value;
        break;
      case 'version':
        o.version = value;
        break;
      case 'naming':
        if (value !== 'json' && value !== 'proto') throw new Error(`option naming: expected json or proto`);
        o.naming = value;
        break;
      case 'omitempty':
        o.omitEmpty = parseBool(key, value);
        break;
      case 'envelope':
        o.envelope = parseBool(key, value);
        break;
      case 'omitempty_prefix':
        o.omitEmptyPrefix = value.replace(/\/+$/, '');
        break;
      default:
        throw new Error(`unknown option "${key}"`);
    }
  }
  return o;
}
