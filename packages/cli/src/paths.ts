import { existsSync, readFileSync } from 'node:fs';
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

/** This package's own manifest (`dist/bin`, `dist` and `src` all sit one or two levels below it). */
export function ownManifest(): { name: string; version: string } {
  for (const candidate of [resolve(here, '../package.json'), resolve(here, '../../package.json')]) {
    if (!existsSync(candidate)) continue;
    const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === '@kratos/cli' && manifest.version)
      return { name: manifest.name, version: manifest.version };
  }
  throw new Error(`the package.json of @kratos/cli is missing above ${here}`);
}

/** google/api and errors protos shipped by @kratos/protoc-gen-kratos. */
export function thirdPartyProtoDir(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@kratos/protoc-gen-kratos/package.json');
  return join(dirname(manifest), 'proto');
}

/** The adapter package templates shipped inside this package (`kratos new --adapter`). */
export function adapterTemplateDir(): string {
  for (const candidate of [resolve(here, '../adapter-template'), resolve(here, '../../adapter-template')]) {
    if (existsSync(join(candidate, 'common', '_package.json'))) return candidate;
  }
  throw new Error(`the adapter templates are missing from ${resolve(here, '..')}`);
}
