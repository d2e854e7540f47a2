// CORS and compression: well-kept fastify plugins, registered (and loaded) only when their
// server option is set. Both are off by default.
import type { FastifyCompressOptions } from '@fastify/compress';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, RouteOptions } from 'fastify';

export type { FastifyCompressOptions, FastifyCorsOptions };

/** The `cors` option: `true` for @fastify/cors' defaults (any origin), or its options. */
export type CorsOption = boolean | FastifyCorsOptions;

/** The `compression` option: `true` for the defaults below, or @fastify/compress' options. */
export type CompressionOption = boolean | FastifyCompressOptions;

/**
 * Compression defaults: replies of 1 KiB and more in gzip or brotli (the client's choice), brotli
 * at quality 4 (its default, 11, costs ~10x the CPU for a few % smaller JSON). Request bodies are
 * not decompressed unless `globalDecompression: true` is given.
 */
const COMPRESSION_DEFAULTS: FastifyCompressOptions = {
  global: true,
  globalDecompression: false,
  threshold: 1024,
  encodings: ['br', 'gzip', 'deflate'],
  brotliOptions: { params: { 2: 4 } }, // zlib.constants.BROTLI_PARAM_QUALITY = 2
};

/**
 * Registers @fastify/cors and @fastify/compress when asked for. Returns how the server adds its
 * routes: compression hooks each route as it is added (`onRoute`), so with it the routes wait
 * in a plugin registered after it and are added when fastify loads its plugins (at start).
 */
export function registerPlugins(
  fastify: FastifyInstance,
  options: { cors?: CorsOption; compression?: CompressionOption },
): ((route: RouteOptions) => void) | undefined {
  const { cors, compression } = options;
  if (cors !== undefined && cors !== false) {
    fastify.register(import('@fastify/cors'), cors === true ? {} : cors);
  }
  if (compression !== undefined && compression !== false) {
    fastify.register(
      import('@fastify/compress'),
      compression === true ? COMPRESSION_DEFAULTS : { ...COMPRESSION_DEFAULTS, ...compression },
    );
    const pending: RouteOptions[] = [];
    fastify.register(async (app) => {
      for (const route of pending.splice(0)) app.route(route);
    });
    return (route) => {
      pending.push(route);
    };
  }
  return undefined;
}
