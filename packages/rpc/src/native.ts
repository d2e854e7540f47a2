import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from '@kratos/core';
import { nativeOf } from '@kratos/core/transport';
import type { Exchange } from './exchange.ts';
import { RpcContext } from './rpc-context.ts';

/** What `rpcRequestOf` gives: the request line and headers of a call served by `createRpcServer`. */
export interface RpcRequestInfo {
  /** True for HTTP/2, false for HTTP/1.1. */
  readonly http2: boolean;
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** The query string without `?` ('' when none). */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The HTTP request behind a call served by `createRpcServer` (method, path, query, headers; HTTP/2
 * or HTTP/1.1), for what the Context does not carry. Undefined for any other context.
 */
export function rpcRequestOf(ctx: Context): RpcRequestInfo | undefined {
  return ctx instanceof RpcContext ? (nativeOf(ctx) as Exchange satisfies RpcRequestInfo) : undefined;
}
