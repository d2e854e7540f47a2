import { packageConfig } from '../../tsup.config.base.ts';

// Two entries sharing one copy of the code (splitting), so classes such as InvalidInstanceError
// are the same from `@kratos/core` and `@kratos/core/adapter`.
export default packageConfig({ entry: ['src/index.ts', 'src/adapter.ts'], splitting: true });
