import { runNodeJs } from '@bufbuild/protoplugin';
import { grpcPlugin } from '../grpc-plugin.ts';

runNodeJs(grpcPlugin);
