export { CODEC_REASON } from './binding.ts';
export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientTlsOptions,
} from './client.ts';
export { reasonForStatus } from './errors.ts';
export { type PathTemplate, parsePathTemplate } from './path-template.ts';
export { createHttpServer } from './server.ts';
export type {
  HttpFilter,
  HttpServer,
  HttpServerOptions,
  HttpServerTlsOptions,
  PlainHandler,
} from './server-options.ts';
export type { HttpHandler, HttpRouteDesc, HttpStreamHandler } from './types.ts';
