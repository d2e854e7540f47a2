// The parts of a gRPC client call that do not depend on the client's state: its context, the
// link to the caller's cancellation, error mapping, stream reading and writing, and the test of
// whether a failed call ever left the client (transparent retry).
import { once } from 'node:events';
import {
  type Client,
  type CallOptions as GrpcCallOptions,
  type Metadata as GrpcMetadata,
  status as grpcStatus,
} from '@grpc/grpc-js';
import { type Context, KratosError, type Metadata, type Node, type NodeFilter } from '@kratos/core';
import { CallContext, type DoneFunc, type SelectOptions } from '@kratos/core/transport';
import { fromServiceError } from './status.ts';

/**
 * A client call's context. grpc-js enforces the deadline itself (it is sent as `grpc-timeout`),
 * so the context owns no timer; `linked` says whether a caller's signal or parent context can
 * cancel the call, the only case in which the call listens to `signal` at all.
 */
export class ClientContext extends CallContext {
  linked = false;
}

const noReason = (): undefined => undefined;

/**
 * Whether a failed call provably never left the client: grpc-js gave it no HTTP/2 stream, so
 * its peer is still the channel's target (`dns:10.0.0.5:9000`), not the server's address. That is
 * what a call gets when the channel cannot connect (TRANSIENT_FAILURE, "No connection
 * established") or lost its connection before the call was sent. grpc-js' own transparent retry
 * stays on the same channel, i.e. the same dead node; this one moves to another node.
 */
export function neverSent(err: { code?: unknown }, call: { getPeer(): string }, client: Client): boolean {
  if (err.code !== grpcStatus.UNAVAILABLE) return false;
  // RST_STREAM REFUSED_STREAM, or a stream above a GOAWAY's last stream id: not processed (HTTP/2
  // §8.1.4); grpc-js retried it once on the same channel already.
  if ((err as { details?: unknown }).details === 'Stream refused by server') return true;
  try {
    return call.getPeer() === client.getChannel().getTarget();
  } catch {
    return false;
  }
}

/** grpc-js' details of an UNAVAILABLE it made itself because the call's connection went away. */
const CONNECTION_LOST = /^Connection dropped$|\bE(CONNRESET|TIMEDOUT|PIPE)\b/;

/**
 * Whether a failed call lost its connection before any reply: UNAVAILABLE made by grpc-js
 * ("Connection dropped", or the socket's `ECONNRESET` / `ETIMEDOUT`) and no response header seen.
 * The request was written, so the server may or may not have run it: only idempotent methods
 * are sent again (see `GrpcClientOptions.idempotent`).
 */
export function droppedBeforeReply(err: { code?: unknown; details?: unknown }, headerSeen: boolean): boolean {
  return (
    !headerSeen &&
    err.code === grpcStatus.UNAVAILABLE &&
    typeof err.details === 'string' &&
    CONNECTION_LOST.test(err.details)
  );
}

/** Whether a method path is idempotent under the client's `idempotent` option. */
export function idempotentTest(
  option: readonly string[] | ((path: string) => boolean) | undefined,
): (path: string) => boolean {
  if (option === undefined) return () => false;
  if (typeof option === 'function') return option;
  const set = new Set(option);
  return (path) => set.has(path);
}

/** Per-pick filter leaving out the nodes a call already tried. */
export function excluding(tried: readonly Node[]): SelectOptions {
  const filter: NodeFilter = (_ctx, nodes) =>
    nodes.filter((n) => !tried.some((t) => t.address === n.address));
  return { filters: [filter] };
}

/** What a call needs of its picked node. */
export interface Attempt {
  node: Node;
  client: Client;
  done: DoneFunc;
  md: GrpcMetadata;
  callOptions: GrpcCallOptions;
}

/** Copies received metadata into a core Metadata (binary values as base64). */
export function fillMetadata(into: Metadata, md: GrpcMetadata): void {
  const repr = md.toJSON();
  for (const key in repr)
    for (const v of repr[key]!) into.add(key, typeof v === 'string' ? v : v.toString('base64'));
}

/** Whether a call listens to its context's signal (see ClientContext.linked). */
const listens = (ctx: Context) => !(ctx instanceof ClientContext) || ctx.linked;

/**
 * Cancels `call` when the context aborts. Returns the unlink, which also tells why the call was
 * aborted: a parent's deadline (TimeoutError) must come back as 504, not as the CANCELLED
 * status the cancel itself produces.
 */
export const link = (ctx: Context, call: { cancel(): void }): (() => unknown) => {
  if (!listens(ctx)) return noReason;
  const signal = ctx.signal;
  if (signal.aborted) {
    call.cancel();
    return () => signal.reason;
  }
  let reason: unknown;
  const onAbort = () => {
    reason = signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
    call.cancel();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal.removeEventListener('abort', onAbort);
    return reason;
  };
};

/** The error of a failed call: the abort reason when the caller aborted it, else the peer's status. */
export const callError = (err: unknown, abortReason: unknown): KratosError =>
  abortReason === undefined ? fromServiceError(err) : KratosError.fromError(abortReason);

/**
 * Reads a response stream. With `retry`, a failure before any message that never left the client
 * (see {@link neverSent}), or of an idempotent call whose connection dropped before any reply (see
 * {@link droppedBeforeReply}), ends the stream quietly with `retry.wanted` set, for another attempt.
 */
export async function* readAll<O>(
  ctx: Context,
  call: AsyncIterable<O> & {
    cancel(): void;
    getPeer(): string;
    on(e: 'metadata', l: (md: GrpcMetadata) => void): unknown;
  },
  done: DoneFunc,
  onEnd?: () => void,
  retry?: { client: Client; idempotent: boolean; wanted: boolean; error: unknown },
): AsyncGenerator<O> {
  let headerSeen = false;
  call.on('metadata', (md) => {
    headerSeen = true;
    fillMetadata(ctx.replyHeader, md);
  });
  const unlink = link(ctx, call);
  let error: unknown;
  let finished = false;
  let received = false;
  try {
    for await (const m of call) {
      received = true;
      yield m;
    }
    finished = true;
  } catch (e) {
    finished = true;
    const aborted = unlink();
    error = callError(e, aborted);
    if (
      retry &&
      !received &&
      aborted === undefined &&
      (neverSent(e as { code?: unknown }, call, retry.client) ||
        (retry.idempotent && droppedBeforeReply(e as { code?: unknown }, headerSeen)))
    ) {
      retry.wanted = true;
      retry.error = error;
      return;
    }
    throw error;
  } finally {
    unlink();
    onEnd?.();
    if (!finished) call.cancel();
    done(error === undefined ? {} : { error });
  }
}

/** Writes `reqs` to a client-streaming call; cancels it when reading `reqs` fails. */
export const writeAll = async <I>(
  call: { write(m: I): boolean; end(): void; cancel(): void } & NodeJS.EventEmitter,
  reqs: AsyncIterable<I>,
  stop: AbortSignal,
  onError: (e: KratosError) => void,
) => {
  try {
    for await (const r of reqs) {
      if (stop.aborted) return;
      if (!call.write(r)) await once(call, 'drain', { signal: stop });
    }
    if (!stop.aborted) call.end();
  } catch (e) {
    if (stop.aborted) return;
    call.cancel();
    onError(KratosError.fromError(e));
  }
};
