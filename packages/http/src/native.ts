import type { Context } from '@kratos/core';
import { nativeOf } from '@kratos/core/transport';
import type { FastifyRequest } from 'fastify';
import { HttpServerContext } from './server-context.ts';
import type { HttpRouteDesc } from './types.ts';

/**
 * The fastify request behind a call served by `createHttpServer` (unary or streamed), for what
 * the Context does not carry (the socket, the parsed query, fastify decorations). Undefined for
 * any other context.
 */
export function httpRequestOf(ctx: Context): FastifyRequest | undefined {
  return ctx instanceof HttpServerContext ? (nativeOf(ctx) as FastifyRequest) : undefined;
}

/**
 * The route an `HttpClient` call is made on (its HTTP method and path template), for client
 * middleware; undefined for any other context.
 */
export function httpClientRouteOf(ctx: Context): HttpRouteDesc | undefined {
  return ctx.kind === 'http' && ctx.side === 'client'
    ? (nativeOf(ctx) as HttpRouteDesc | undefined)
    : undefined;
}
