import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
} from '@grpc/grpc-js';
import type { Context } from '@kratos/core';
import { nativeOf } from '@kratos/core/transport';
import { GrpcServerContext } from './server-context.ts';

/** A grpc-js server call of any of the four shapes. */
export type GrpcServerCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

/**
 * The grpc-js call behind a call served by `createGrpcServer`, for what the Context does not
 * carry (the peer address, the raw metadata). Undefined for any other context.
 */
export function grpcCallOf(ctx: Context): GrpcServerCall | undefined {
  return ctx instanceof GrpcServerContext ? (nativeOf(ctx) as GrpcServerCall) : undefined;
}
