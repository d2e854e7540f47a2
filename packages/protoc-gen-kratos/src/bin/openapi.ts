import { runNodeJs } from '@bufbuild/protoplugin';
import { openapiPlugin } from '../openapi-plugin.ts';

runNodeJs(openapiPlugin);
