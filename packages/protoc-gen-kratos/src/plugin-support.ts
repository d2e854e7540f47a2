import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeGeneratorRequest } from '@bufbuild/protobuf/wkt';
import type { Plugin } from '@bufbuild/protoplugin';

const PACKAGE_NAME = '@kratos/protoc-gen-kratos';

let cachedVersion: string | undefined;

/** This package's version (from its package.json, found by walking up from this module). */
export function pluginVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'v0.0.0';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) {
        cachedVersion = `v${pkg.version}`;
        break;
      }
    }
    dir = dirname(dir);
  }
  return cachedVersion;
}

/**
 * Wraps an ECMAScript plugin so that, unless the request says otherwise, it emits TypeScript
 * (`target=ts`) with `.js` import extensions (`import_extension=js`), which is what Node's ESM
 * resolution and `tsc --module nodenext` need. protoplugin's own defaults are js+dts and none.
 */
export function withKratosDefaults(plugin: Plugin): Plugin {
  return {
    name: plugin.name,
    version: plugin.version,
    run(request: CodeGeneratorRequest) {
      const given = (request.parameter ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
      const keys = new Set(given.map((p) => p.split('=')[0]));
      const params = [...given];
      if (!keys.has('target')) params.push('target=ts');
      if (!keys.has('import_extension')) params.push('import_extension=js');
      return plugin.run({ ...request, parameter: params.join(',') });
    },
  };
}

/** A boolean plugin option: empty value (`omitempty`) means true. */
export function parseBool(key: string, value: string): boolean {
  if (value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`option ${key}: expected true or false, got "${value}"`);
}
