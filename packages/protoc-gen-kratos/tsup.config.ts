import { packageConfig } from '../../tsup.config.base.ts';

// splitting: the main entry and `./generate` share one chunk for generate.ts, so both hand out
// the same GenerateError class and `instanceof` holds across them.
export default packageConfig({
  splitting: true,
  entry: {
    index: 'src/index.ts',
    generate: 'src/generate.ts',
    'bin/http': 'src/bin/http.ts',
    'bin/grpc': 'src/bin/grpc.ts',
    'bin/errors': 'src/bin/errors.ts',
    'bin/openapi': 'src/bin/openapi.ts',
    'bin/all': 'src/bin/all.ts',
  },
});
