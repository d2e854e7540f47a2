import { runNodeJs } from '@bufbuild/protoplugin';
import { httpPlugin } from '../http-plugin.ts';

runNodeJs(httpPlugin);
