// The client half of streamed replies: a server-streaming RPC called over HTTP, its
// newline-delimited JSON read back as an AsyncIterable of messages.
import type { DescMessage, JsonValue, Message } from '@bufbuild/protobuf';
import {
  type CallOptions,
  type Codec,
  chain,
  createContext,
  type Handler,
  KratosError,
  Metadata,
  type Middleware,
  type Selector,
} from '@kratos/core';
import type { Dispatcher } from 'undici';
import { messageFromJson } from '../binding.ts';
import { compileRequestEncoder } from '../client-request.ts';
import { errorFromResponse, transportError } from '../errors.ts';
import { topLevelField } from '../route.ts';
import type { HttpRouteDesc } from '../types.ts';
import { NDJSON_TYPES } from './negotiate.ts';

/** What a stream call takes from its HTTP client. */
export interface StreamClientParts {
  agent: Dispatcher;
  selector: Selector;
  scheme: 'http' | 'https';
  /** The request codec (the stream itself is always JSON). */
  codec: Codec;
  baseHeader: Metadata;
  middleware: readonly Middleware[];
  endpoint: string;
  /** Resolves once the target has nodes (discovery), rejects when the signal fires first. */
  ready(signal: AbortSignal): Promise<void>;
  closed(): boolean;
}

interface CompiledStream {
  /** The middleware chain around opening the stream: resolves to the reply once its head is in. */
  open: Handler;
  decode(json: JsonValue): Message;
}

/** A stream's reply body, once the server answered 2xx. */
interface OpenStream {
  body: Dispatcher.ResponseData['body'];
}

/** Splits a byte stream into lines (without their `\n`), skipping blank ones. */
async function* lines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf('\n');
    while (nl !== -1) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield line;
      nl = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield rest.trim();
}

function compile(parts: StreamClientParts, desc: HttpRouteDesc): CompiledStream {
  const method = desc.method.toUpperCase();
  const encode = compileRequestEncoder(desc, parts.codec);
  const output: DescMessage = desc.output;
  const field =
    desc.responseBody !== undefined && desc.responseBody !== ''
      ? topLevelField(output, desc.responseBody)
      : undefined;
  const open: Handler = async (ctx, req) => {
    const { path, body } = encode(req);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of ctx.requestHeader) headers[k] = v.length === 1 ? v[0]! : v;
    for (const [k, v] of ctx.metadata) if (headers[k] === undefined) headers[k] = v.length === 1 ? v[0]! : v;
    if (body !== undefined) headers['content-type'] = parts.codec.contentType;
    headers.accept = NDJSON_TYPES[0]!;
    const { node, done } = parts.selector.select(ctx);
    let res: Dispatcher.ResponseData;
    try {
      res = await parts.agent.request({
        origin: `${parts.scheme}://${node.address}`,
        path,
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body !== undefined && { body }),
        signal: ctx.signal,
      });
    } catch (err) {
      const e = transportError(ctx, err);
      done({ error: e });
      throw e;
    }
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      if (typeof v === 'string') ctx.replyHeader.add(k, v);
      else for (const one of v) ctx.replyHeader.add(k, one);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await res.body.arrayBuffer());
      } catch (err) {
        const e = transportError(ctx, err);
        done({ error: e, bytesSent: true });
        throw e;
      }
      const e = errorFromResponse(res.statusCode, bytes);
      done({ error: e, bytesSent: true, bytesReceived: true, replyMetadata: ctx.replyHeader });
      throw e;
    }
    done({ bytesSent: true, bytesReceived: true, replyMetadata: ctx.replyHeader });
    return { body: res.body } satisfies OpenStream;
  };
  return {
    open: chain(...parts.middleware)(open),
    decode: (json) =>
      messageFromJson(output, field === undefined ? json : { [field.jsonName]: json }, 'reply'),
  };
}

/**
 * Makes the `stream` method of an HTTP client: each iteration of the returned iterable makes one
 * call (`Accept: application/x-ndjson`). Client middleware runs around opening the stream (until
 * the reply's head is in); the call's deadline (`options.timeout`, none by default, as gRPC
 * streams) and signal cover the whole stream; a final error line is thrown as its KratosError;
 * leaving the loop early closes the connection, which cancels the handler on the server.
 */
export function createStreamCaller(parts: StreamClientParts) {
  const compiled = new WeakMap<HttpRouteDesc, CompiledStream>();
  return function stream<I, O>(desc: HttpRouteDesc, req: I, callOptions: CallOptions = {}): AsyncIterable<O> {
    return {
      [Symbol.asyncIterator]: () =>
        (async function* (): AsyncGenerator<O> {
          if (parts.closed()) throw new KratosError(503, '', 'the HTTP client is closed');
          let c = compiled.get(desc);
          if (c === undefined) {
            c = compile(parts, desc);
            compiled.set(desc, c);
          }
          const requestHeader = parts.baseHeader.clone();
          if (callOptions.header !== undefined) requestHeader.merge(new Metadata(callOptions.header));
          const ctx = createContext({
            kind: 'http',
            side: 'client',
            operation: desc.operation,
            endpoint: parts.endpoint,
            parent: callOptions.ctx,
            timeout: callOptions.timeout,
            signal: callOptions.signal,
            requestHeader,
            raw: desc,
          });
          try {
            await parts.ready(ctx.signal);
          } catch (err) {
            throw ctx.aborted ? KratosError.fromError(ctx.signal.reason) : KratosError.fromError(err);
          }
          const { body } = (await c.open(ctx, req)) as OpenStream;
          let ended = false;
          try {
            for await (const line of lines(body)) {
              let frame: { result?: JsonValue; error?: unknown };
              try {
                frame = JSON.parse(line) as typeof frame;
              } catch (err) {
                throw new KratosError(500, 'CODEC', `${desc.operation}: a stream line is not JSON`, {
                  cause: err,
                });
              }
              if (frame.error !== undefined) {
                ended = true;
                throw KratosError.fromBody(frame.error, 500);
              }
              if (frame.result !== undefined) yield c.decode(frame.result) as O;
            }
            ended = true;
          } catch (err) {
            throw KratosError.is(err) ? err : transportError(ctx, err);
          } finally {
            // Left early (break, or the caller's error): closing the body closes the connection.
            if (!ended) body.destroy();
          }
        })(),
    };
  };
}
