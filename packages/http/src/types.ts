import type { DescMessage } from '@bufbuild/protobuf';
import type { Context } from '@kratos/core';
import type { Redirector, StreamedReply } from './bodies/replies.ts';

/**
 * One `google.api.http` binding of one RPC, as generated code describes it. The server routes
 * and binds requests with it; the client builds requests with it.
 */
export interface HttpRouteDesc {
  /** HTTP method; custom verbs (`custom: { kind }`) are allowed. */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {});
  /** google.api.http path template: `/v1/users/{id}`, `/v1/{name=messages/*}`, `/files/{path=**}`. */
  path: string;
  /** `/package.Service/Method`; what middleware and logs see. */
  operation: string;
  /** Request message schema. */
  input: DescMessage;
  /** Reply message schema. */
  output: DescMessage;
  /** `*` (the whole request), a top-level field name, or undefined (no body). */
  body?: string;
  /** `''`/undefined (the whole reply) or a top-level field name of the reply. */
  responseBody?: string;
  /**
   * A server-streaming RPC: the handler returns an AsyncIterable of replies, written as
   * Server-Sent Events or newline-delimited JSON (by Accept); see the README's "Streamed replies".
   */
  serverStreaming?: boolean;
}

/** What a handler may return instead of its reply message: a redirect or a streamed body. */
export type HttpReply = Redirector | StreamedReply;

/** A generated RPC's implementation behind an HTTP route. */
export type HttpHandler<I, O> = (ctx: Context, req: I) => Promise<O>;

/** A server-streaming RPC's implementation behind an HTTP route (`serverStreaming: true`). */
export type HttpStreamHandler<I, O> = (ctx: Context, req: I) => AsyncIterable<O>;
