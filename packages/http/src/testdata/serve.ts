import type { Context } from '@kratos/core';
import { afterEach } from 'vitest';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../index.ts';

export const quiet = { log() {} };

/** A handler that answers with its request. */
export const echo = async (_ctx: Context, req: unknown) => req;

/**
 * Starts servers for a test file's tests and stops them after each test (call once, at the top
 * of the file). `start(setup, options)` registers routes with `setup`, starts the server on a
 * free loopback port and resolves to its base URL; `track(server)` stops a server made otherwise.
 */
export function httpServers() {
  const servers: HttpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return {
    track(server: HttpServer): void {
      servers.push(server);
    },
    async start(setup: (s: HttpServer) => void, options: HttpServerOptions = {}): Promise<string> {
      const s = createHttpServer({ address: '127.0.0.1:0', logger: quiet, ...options });
      setup(s);
      servers.push(s);
      await s.start();
      return `http://127.0.0.1:${s.address()!.port}`;
    },
  };
}
