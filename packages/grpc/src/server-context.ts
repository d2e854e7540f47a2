import type { Deadline, Metadata as GrpcMetadata } from '@grpc/grpc-js';
import type { Metadata } from '@kratos/core';
import { CallContext, type ContextInit } from '@kratos/core/transport';
import { fromGrpcMetadata } from './metadata.ts';

/** The surface every grpc-js server call shares. */
export interface ServerSurfaceCall {
  readonly metadata: GrpcMetadata;
  readonly cancelled: boolean;
  getDeadline(): Deadline;
  sendMetadata(md: GrpcMetadata): void;
  once(event: 'cancelled', listener: () => void): unknown;
}

/**
 * The server-side Context of a gRPC call. The request metadata is copied from grpc-js only when
 * the chain reads it, and the caller going away is watched (a `cancelled` listener on the call)
 * only once someone reads `signal` or `aborted`, or the transport asks for it (streaming calls).
 * Its deadline entry (core's `armDeadline`) is disarmed once the call is finished or cancelled.
 */
export class GrpcServerContext extends CallContext {
  readonly #call: ServerSurfaceCall;
  #split: { header: Metadata; kratos: Metadata } | undefined;
  #watching = false;
  #finished = false;

  constructor(init: ContextInit, call: ServerSurfaceCall) {
    super(init);
    this.#call = call;
  }

  override get requestHeader(): Metadata {
    this.#split ??= fromGrpcMetadata(this.#call.metadata);
    return this.#split.header;
  }

  override get metadata(): Metadata {
    this.#split ??= fromGrpcMetadata(this.#call.metadata);
    return this.#split.kratos;
  }

  override get signal(): AbortSignal {
    this.watchCancel();
    return super.signal;
  }

  override get aborted(): boolean {
    this.watchCancel();
    return super.aborted;
  }

  /**
   * Cancels the context (and disarms its deadline) when the caller cancels the call. grpc-js
   * emits 'cancelled' when every stream closes, also after a normal reply: only a cancel before
   * {@link finish} is the caller going away. Idempotent.
   */
  watchCancel(): void {
    if (this.#watching) return;
    this.#watching = true;
    if (this.#finished) return;
    if (this.#call.cancelled) this.#callerGone();
    else this.#call.once('cancelled', () => this.#finished || this.#callerGone());
  }

  #callerGone(): void {
    this.disarmDeadline();
    this.cancel();
  }

  /** The call has been answered (or given up): disarms the deadline; later stream closes are not cancellations. */
  finish(): void {
    this.#finished = true;
    this.disarmDeadline();
  }
}
