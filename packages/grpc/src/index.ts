export type { AdmissionLimiter } from './admission.ts';
export { createGrpcClient } from './client.ts';
export {
  createHealthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthService,
  healthDefinition,
  healthFile,
} from './health.ts';
export { fromGrpcMetadata, toGrpcMetadata } from './metadata.ts';
export {
  type GetServiceDescReply,
  type ListServicesReply,
  type MetadataServiceHost,
  metadataDefinition,
  metadataFile,
  registerMetadataService,
} from './metadata-service.ts';
export { methodKind, serviceNameOf } from './method-kind.ts';
export { type GrpcServerCall, grpcCallOf } from './native.ts';
export {
  createReflectionIndex,
  type ReflectionIndex,
  type ReflectionRequest,
  type ReflectionResponse,
  reflectionDefinition,
  reflectionV1AlphaDefinition,
  registerReflection,
} from './reflection.ts';
export { createGrpcServer } from './server.ts';
export type { GrpcServerLimits } from './server-limits.ts';
export {
  type AnyMessage,
  decodeErrorInfo,
  decodeRpcStatus,
  ERROR_INFO_TYPE_URL,
  type ErrorInfo,
  encodeErrorInfo,
  encodeRpcStatus,
  fromGrpcStatus,
  fromServiceError,
  type RpcStatus,
  STATUS_DETAILS_KEY,
  toGrpcStatus,
} from './status.ts';
export type {
  GrpcBidiStreamHandler,
  GrpcClient,
  GrpcClientOptions,
  GrpcClientStreamHandler,
  GrpcClientTlsOptions,
  GrpcMethodHandler,
  GrpcMethodKind,
  GrpcServer,
  GrpcServerOptions,
  GrpcServerStreamHandler,
  GrpcServerTlsOptions,
  GrpcUnaryHandler,
  RegisterServiceOptions,
  ServingStatus,
} from './types.ts';
