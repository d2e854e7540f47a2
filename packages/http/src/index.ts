export { type AdmissionLimiter, rateLimitedError } from './admission.ts';
export { CODEC_REASON } from './binding.ts';
export { HTTP_BODY_TYPE } from './bodies/http-body.ts';
export {
  type FormField,
  type FormFile,
  type FormPart,
  formParts,
  type MultipartOptions,
  type SavedFile,
  saveFormFiles,
} from './bodies/multipart.ts';
export {
  isRedirector,
  newRedirect,
  type Redirector,
  type StreamedReply,
  type StreamReplyInit,
  type StreamSource,
  streamReply,
} from './bodies/replies.ts';
export {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientTlsOptions,
} from './client.ts';
export type {
  ClientResponse,
  ErrorDecodeArgs,
  ErrorDecoder,
  RequestEncodeArgs,
  RequestEncoder,
  ResponseDecodeArgs,
  ResponseDecoder,
} from './client-encoders.ts';
export { type ApiDocsOptions, mountApiDocs } from './docs/api-docs.ts';
export type {
  EncodedBody,
  ErrorEncodeArgs,
  ErrorEncoder,
  HttpRouteOptions,
  RequestDecodeArgs,
  RequestDecoder,
  ResponseEncodeArgs,
  ResponseEncoder,
} from './encoders.ts';
export { reasonForStatus } from './errors.ts';
export { httpClientRouteOf, httpRequestOf } from './native.ts';
export {
  type PathTemplate,
  parsePathTemplate,
  type TemplateSegment,
  type TemplateVariable,
} from './path-template.ts';
export type { CompressionOption, CorsOption, FastifyCompressOptions, FastifyCorsOptions } from './plugins.ts';
export { createHttpServer } from './server.ts';
export type {
  HttpFilter,
  HttpServer,
  HttpServerOptions,
  HttpServerTlsOptions,
  PlainHandler,
} from './server-options.ts';
export type { HttpHandler, HttpReply, HttpRouteDesc, HttpStreamHandler } from './types.ts';
