export { errorsPlugin } from './errors-plugin.ts';
export {
  bufCommand,
  GenerateError,
  type GenerateOptions,
  type GeneratorName,
  generate,
  pluginCommand,
  protoIncludeDir,
} from './generate.ts';
export { grpcPlugin } from './grpc-plugin.ts';
export { type HttpPluginOptions, httpPlugin } from './http-plugin.ts';
export {
  type BindingOptions,
  type HttpBinding,
  HttpRuleError,
  httpBindings,
  pathVariables,
  simplifyTemplate,
} from './http-rules.ts';
export { reasonToCamel } from './names.ts';
export { buildOpenApi, type OpenApiOptions, openapiPlugin } from './openapi-plugin.ts';
