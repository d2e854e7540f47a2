export { CODEC_REASON } from './binding.ts';
export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientTlsOptions,
} from './client.ts';
export { reasonForStatus } from './errors.ts';
export { type PathTemplate, parsePathTemplate } from './path-template.ts';
export {
  createHttpServer,
  type HttpFilter,
  type HttpServer,
  type HttpServerOptions,
  type HttpServerTlsOptions,
  type PlainHandler,
} from './server.ts';
export type { HttpHandler, HttpRouteDesc } from './types.ts';
