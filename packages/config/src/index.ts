export { createConfig } from './config.ts';
export { builtinDecoders, decodeJson, decodeToml, decodeYaml } from './decoders.ts';
export { parseDuration } from './duration.ts';
export { createEnvSource, type EnvSourceOptions } from './env-source.ts';
export { ConfigReason, type ConfigReasonName, isConfigError } from './errors.ts';
export { createFileSource, type FileSource, type FileSourceOptions } from './file-source.ts';
export type {
  Config,
  ConfigChange,
  ConfigOptions,
  ConfigSnapshot,
  DecodeFunc,
  Decoder,
  KeyValue,
  Observer,
  ScanOutput,
  ScanSchema,
  Source,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
  Value,
} from './types.ts';
