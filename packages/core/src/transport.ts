/**
 * `@kratos/core/transport`: the plumbing transports (servers and clients) are built from: the
 * per-call context with its deadline hooks, the shared deadline timer, endpoint URLs, codec
 * lookup by content type, status code mapping and the server lifecycle options. Applications do
 * not need it; the contracts they use live in the main entry.
 */
export type { DrainingServer } from './app/app.ts';
export { runWithContext } from './context/async-context.ts';
export {
  CallContext,
  type CallSide,
  type ContextInit,
  nativeOf,
  type TransportKind,
} from './context/context.ts';
export {
  createDeadlineTimer,
  type DeadlineHandle,
  type DeadlineTimer,
  type DeadlineTimerOptions,
} from './context/deadline-timer.ts';
export { ServerCallContext } from './context/server-call-context.ts';
export { isMessageCodec } from './encoding/codec.ts';
export { type CodecRegistry, createCodecRegistry, mediaType } from './encoding/registry.ts';
export {
  CLIENT_CLOSED,
  GrpcStatus,
  type GrpcStatusCode,
  grpcToHttpCode,
  httpToGrpcCode,
} from './errors/codes.ts';
export { type KratosErrorBody, UNKNOWN_CODE, UNKNOWN_REASON } from './errors/kratos-error.ts';
export { isMetadataKey } from './metadata/metadata.ts';
export { applyMiddleware, type SelectiveMiddleware } from './middleware/middleware.ts';
export type { DoneFunc, DoneInfo, SelectOptions } from './selector/selector.ts';
export {
  advertisedHost,
  endpointPort,
  isSecureEndpoint,
  joinHostPort,
  newEndpoint,
  parseEndpoint,
  splitEndpoint,
  splitHostPort,
} from './transport/endpoint.ts';
export { pinNextTickShape, pinnedTickObject } from './transport/next-tick-shape.ts';
export {
  type AdmissionDone,
  type AdmissionLimiter,
  type Endpointer,
  isEndpointer,
  rateLimitedError,
  type ServerStartOptions,
  type ServerStopOptions,
  stopGracefully,
} from './transport/server.ts';
