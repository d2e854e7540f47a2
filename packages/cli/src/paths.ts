import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const here = import.meta.dirname;

/** The layout template shipped inside this package. */
export function templateDir(): string {
  for (const candidate of [resolve(here, '../template'), resolve(here, '../../template')]) {
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`the layout template is missing from ${resolve(here, '..')}`);
}

/** google/api and errors protos shipped by @kratos/protoc-gen-kratos. */
export function thirdPartyProtoDir(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@kratos/protoc-gen-kratos/package.json');
  return join(dirname(manifest), 'proto');
}
