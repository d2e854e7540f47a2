import type { Deadline, Metadata as GrpcMetadata } from '@grpc/grpc-js';
import type { Metadata } from '@kratos/core';
import { type ContextInit, ServerCallContext } from '@kratos/core/transport';
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
 * The server-side Context of a gRPC call (core's ServerCallContext over a grpc-js call): the
 * request metadata is copied from grpc-js only when the chain reads it; the caller going away is
 * grpc-js' `cancelled` event, which also fires when every stream closes after a normal reply
 * (only a cancel before `finish` counts).
 */
export class GrpcServerContext extends ServerCallContext {
  readonly #call: ServerSurfaceCall;

  constructor(init: ContextInit, call: ServerSurfaceCall) {
    super(init);
    this.#call = call;
  }

  protected override splitHeaders(): { header: Metadata; kratos: Metadata } {
    return fromGrpcMetadata(this.#call.metadata);
  }

  protected override peerClosed(): boolean {
    return this.#call.cancelled;
  }

  protected override onPeerClose(gone: () => void): void {
    this.#call.once('cancelled', gone);
  }
}
