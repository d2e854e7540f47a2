import { packageConfig } from '../../tsup.config.base.ts';

export default packageConfig({ entry: ['src/index.ts', 'src/ping.ts', 'src/echo.ts'] });
