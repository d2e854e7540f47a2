export { sendReplyHeader } from './call.ts';
export { replyTrailer } from './metadata.ts';
export { type RpcRequestInfo, rpcRequestOf } from './native.ts';
export { createRpcServer } from './server.ts';
export { Code, RpcError } from './status.ts';
export type {
  RpcCorsOptions,
  RpcKeepaliveOptions,
  RpcRegisterServiceOptions,
  RpcServer,
  RpcServerOptions,
  RpcServerTlsOptions,
} from './types.ts';
