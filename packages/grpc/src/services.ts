// `@kratos/grpc/services`: what a gRPC server on another HTTP/2 stack (@kratos/rpc, on
// node:http2) reuses from this package without loading @grpc/grpc-js: grpc.health.v1, server
// reflection, the Kratos metadata service, the error-details codecs and method kinds.

export { DEFAULT_MAX_CONCURRENT_STREAMS } from './defaults.ts';
export {
  type AnyMessage,
  decodeErrorInfo,
  decodeRpcStatus,
  ERROR_INFO_TYPE_URL,
  type ErrorInfo,
  encodeErrorInfo,
  encodeRpcStatus,
  type RpcStatus,
  STATUS_DETAILS_KEY,
} from './error-details.ts';
export {
  createHealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthService,
  healthDefinition,
  healthFile,
  isHealthCheck,
} from './health.ts';
export {
  type GetServiceDescReply,
  type ListServicesReply,
  type MetadataServiceHost,
  metadataDefinition,
  metadataFile,
  registerMetadataService,
} from './metadata-service.ts';
export { methodKind, serviceNameOf } from './method-kind.ts';
export {
  createReflectionIndex,
  type ReflectionIndex,
  type ReflectionRequest,
  type ReflectionResponse,
  reflectionDefinition,
  reflectionV1AlphaDefinition,
  registerReflection,
} from './reflection.ts';
export type {
  GrpcBidiStreamHandler,
  GrpcClientStreamHandler,
  GrpcMethodHandler,
  GrpcMethodKind,
  GrpcServer,
  GrpcServerStreamHandler,
  GrpcUnaryHandler,
  RegisterServiceOptions,
  ServingStatus,
} from './types.ts';
