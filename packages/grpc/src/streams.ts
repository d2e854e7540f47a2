// The streaming side of the gRPC server: request streams as AsyncIterables that end when the call
// is aborted, and replies pumped to the call with back-pressure.
import { once } from 'node:events';
import type { ServerDuplexStream, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import type { Context } from '@kratos/core';
import type { CallContext } from '@kratos/core/transport';
import { toGrpcMetadata } from './metadata.ts';
import { InvalidMessage } from './request-message.ts';

/**
 * True when the HTTP/2 stream under a grpc-js server call was reset by the peer. Reaches into
 * grpc-js internals (`call.call.stream`), so anything unexpected reads as "not aborted".
 */
function http2Aborted(call: unknown): boolean {
  const stream = (call as { call?: { stream?: { aborted?: unknown; rstCode?: unknown } } }).call?.stream;
  return stream?.aborted === true || (typeof stream?.rstCode === 'number' && stream.rstCode !== 0);
}

/** A readable request stream seen as an AsyncIterable that also ends when the call is aborted. */
export function requestStream<I>(
  call: ServerReadableStream<I, unknown> | ServerDuplexStream<I, unknown>,
  ctx: CallContext,
): AsyncIterable<I> {
  return {
    [Symbol.asyncIterator]() {
      // Not `call[Symbol.asyncIterator]()`: that iterator destroys the stream when the iteration
      // ends, and a destroyed grpc-js duplex never runs `_final`, which is what sends the call's
      // status, so the client would wait forever. Node 22 and 26 destroy at every end, Node 24
      // only when the handler stops reading early. The call is ended by the wrapper instead.
      const it = call.iterator({ destroyOnReturn: false }) as AsyncIterator<I | InvalidMessage>;
      const signal = ctx.signal;
      let aborted: Promise<never> | undefined;
      const abortedPromise = () =>
        (aborted ??= new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }));
      return {
        async next(): Promise<IteratorResult<I>> {
          const p = abortedPromise();
          p.catch(() => {});
          const r = await Promise.race([it.next(), p]);
          if (!r.done && r.value instanceof InvalidMessage) throw r.value.error;
          if (r.done) {
            // grpc-js ends the request stream of a client that cancels (RST_STREAM) before it
            // reports the cancellation, so a cut-off stream would look complete. The HTTP/2
            // stream underneath already knows it was aborted; check it, then one turn later.
            if (http2Aborted(call)) ctx.cancel();
            else await new Promise((resolve) => setImmediate(resolve));
            if (signal.aborted) throw signal.reason;
          }
          return r as IteratorResult<I>;
        },
        async return(): Promise<IteratorResult<I>> {
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Writes every reply of `replies` to the call, honouring back-pressure; stops when the call is aborted. */
export async function pump<O>(
  call: ServerWritableStream<unknown, O> | ServerDuplexStream<unknown, O>,
  replies: AsyncIterable<O>,
  ctx: Context,
): Promise<void> {
  const aborted = () => ctx.signal.aborted;
  let headerSent = false;
  for await (const msg of replies) {
    if (aborted()) return;
    if (!headerSent) {
      headerSent = true;
      if (ctx.replyHeader.size > 0) call.sendMetadata(toGrpcMetadata(ctx.replyHeader));
    }
    if (!call.write(msg)) {
      const signal = ctx.signal;
      if (signal.aborted) return;
      await once(call, 'drain', { signal }).catch(() => {});
      if (aborted()) return;
    }
  }
  if (!headerSent && ctx.replyHeader.size > 0) call.sendMetadata(toGrpcMetadata(ctx.replyHeader));
}
