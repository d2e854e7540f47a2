// The routes of hello-process.ts, for the client tests that call it.
import type { HttpRouteDesc } from '../types.ts';
import { HelloReplySchema, HelloRequestSchema } from './echo.ts';

export const helloRoutes = {
  /** GET: idempotent, retried on a lost connection. */
  get: {
    method: 'GET',
    path: '/hello/{name}',
    operation: '/test.v1.Hello/Get',
    input: HelloRequestSchema,
    output: HelloReplySchema,
  },
  /** POST: retried only when it provably never reached a server. */
  post: {
    method: 'POST',
    path: '/hello',
    operation: '/test.v1.Hello/Post',
    input: HelloRequestSchema,
    output: HelloReplySchema,
    body: '*',
  },
} satisfies Record<string, HttpRouteDesc>;
