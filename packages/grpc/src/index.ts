// Everything that needs no grpc-js (health, reflection, the metadata service, error details,
// method kinds, handler types) is `./services.ts`, also published as `@kratos/grpc/services`.

export type { AdmissionLimiter } from './admission.ts';
export { createGrpcClient } from './client.ts';
export { fromGrpcMetadata, toGrpcMetadata } from './metadata.ts';
export { type GrpcServerCall, grpcCallOf } from './native.ts';
export { createGrpcServer } from './server.ts';
export type { GrpcServerLimits } from './server-limits.ts';
export * from './services.ts';
export { fromGrpcStatus, fromServiceError, toGrpcStatus } from './status.ts';
export type {
  GrpcClient,
  GrpcClientOptions,
  GrpcClientTlsOptions,
  GrpcServerOptions,
  GrpcServerTlsOptions,
} from './types.ts';
