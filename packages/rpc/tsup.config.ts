import { packageConfig } from '../../tsup.config.base.ts';
// `./web` is the browser-safe helper (no Node or @kratos/core imports).
export default packageConfig({ entry: ['src/index.ts', 'src/web.ts'] });
