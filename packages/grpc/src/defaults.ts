/**
 * Calls one HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS) unless told
 * otherwise: the default of both gRPC servers, `createGrpcServer` and `@kratos/rpc`'s. A client
 * queues the rest on its side, where their deadlines run out without costing the server anything.
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 250;
