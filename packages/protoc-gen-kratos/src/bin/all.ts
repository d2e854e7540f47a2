import { runNodeJs } from '@bufbuild/protoplugin';
import { type CombinedSpec, runCombined } from '../combined.ts';
import { pluginVersion } from '../plugin-support.ts';

// Internal to generate(): every generator in one process. Its one option, `spec`, is a
// base64url-encoded CombinedSpec (generators, their parameters and the target files).
runNodeJs({
  name: 'protoc-gen-kratos',
  version: pluginVersion(),
  run(request) {
    const raw = (request.parameter ?? '').replace(/^spec=/, '');
    const spec = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as CombinedSpec;
    return runCombined(request, spec);
  },
});
