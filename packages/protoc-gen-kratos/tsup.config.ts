import { packageConfig } from '../../tsup.config.base.ts';

export default packageConfig({
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
