import { runNodeJs } from '@bufbuild/protoplugin';
import { errorsPlugin } from '../errors-plugin.ts';

runNodeJs(errorsPlugin);
