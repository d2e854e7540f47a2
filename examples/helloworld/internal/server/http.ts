import type { Logger } from '@kratos/core';
import { createHttpServer, type HttpServer } from '@kratos/http';
import { recovery } from '@kratos/middleware';
import { registerGreeterHttpServer } from '../../api/helloworld/v1/greeter_http.js';
import type { Server_HTTP } from '../conf/conf_pb.js';
import type { GreeterService } from '../service/greeter.ts';
import { durationMs } from './duration.ts';

/** Builds the HTTP server: recovery first, then the generated routes. */
export function newHttpServer(
  conf: Server_HTTP | undefined,
  greeter: GreeterService,
  logger: Logger,
): HttpServer {
  const server = createHttpServer({
    address: conf?.addr || '0.0.0.0:8000',
    timeout: durationMs(conf?.timeout, 1000),
    middleware: [recovery({ logger })],
    logger,
  });
  registerGreeterHttpServer(server, greeter);
  return server;
}
