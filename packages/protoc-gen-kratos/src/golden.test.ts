import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from '@bufbuild/protoplugin';
import { describe, expect, it } from 'vitest';
import { goldenDir, testRequest } from '../testdata/request.ts';
import { errorsPlugin } from './errors-plugin.ts';
import { grpcPlugin } from './grpc-plugin.ts';
import { httpPlugin } from './http-plugin.ts';
import { openapiPlugin } from './openapi-plugin.ts';

// UPDATE_GOLDEN=1 rewrites testdata/golden from the current output instead of comparing.
const update = process.env.UPDATE_GOLDEN === '1';

const plugins: [string, Plugin, string][] = [
  ['http', httpPlugin, 'elide_plugin_version=true'],
  ['grpc', grpcPlugin, 'elide_plugin_version=true'],
  ['errors', errorsPlugin, 'elide_plugin_version=true'],
  ['openapi', openapiPlugin, ''],
];

describe('golden files', () => {
  for (const [kind, plugin, parameter] of plugins) {
    it(`${kind} output matches testdata/golden/${kind}`, () => {
      const res = plugin.run(testRequest(parameter));
      expect(res.error ?? '').toBe('');
      expect(res.file.length).toBeGreaterThan(0);
      for (const file of res.file) {
        const golden = join(goldenDir, kind, file.name);
        if (update) {
          mkdirSync(dirname(golden), { recursive: true });
          writeFileSync(golden, file.content);
          continue;
        }
        expect(file.content, `${golden} (run with UPDATE_GOLDEN=1 to accept)`).toBe(
          readFileSync(golden, 'utf8'),
        );
      }
    });
  }
});
