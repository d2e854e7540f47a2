import type { Logger } from '@kratos/core';
import { createHttpServer, type HttpServer, mountApiDocs } from '@kratos/http';
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
  // The API docs page: /q/openapi.yaml and a swagger-ui page at /q/docs.
  mountApiDocs(server, { openapi: new URL('../../api/openapi.yaml', import.meta.url) });
  return server;
}
