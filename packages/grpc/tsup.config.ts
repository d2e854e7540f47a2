import { packageConfig } from '../../tsup.config.base.ts';

// Two entries sharing one copy of the code (splitting): `services` is the part without
// @grpc/grpc-js that @kratos/rpc loads.
export default packageConfig({ entry: ['src/index.ts', 'src/services.ts'], splitting: true });
