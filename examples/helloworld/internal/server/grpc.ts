import type { Logger } from '@kratos/core';
import { createGrpcServer, type GrpcServer } from '@kratos/grpc';
import { recovery } from '@kratos/middleware';
import { registerGreeterGrpcServer } from '../../api/helloworld/v1/greeter_grpc.js';
import type { Server_GRPC } from '../conf/conf_pb.js';
import type { GreeterService } from '../service/greeter.ts';
import { durationMs } from './duration.ts';

/** Builds the gRPC server (health and reflection on): recovery first, then the generated service. */
export function newGrpcServer(
  conf: Server_GRPC | undefined,
  greeter: GreeterService,
  logger: Logger,
): GrpcServer {
  const server = createGrpcServer({
    address: conf?.addr || '0.0.0.0:9000',
    timeout: durationMs(conf?.timeout, 1000),
    middleware: [recovery({ logger })],
    logger,
  });
  registerGreeterGrpcServer(server, greeter);
  return server;
}
