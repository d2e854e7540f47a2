export { createYamlCodec, YAML_CONTENT_TYPES, type YamlCodecOptions, yamlCodec } from './yaml-codec.ts';
