export {
  createFormCodec,
  encodeFormPairs,
  type FormCodecOptions,
  formCodec,
  parseFormPairs,
} from './form.ts';
export { createProtoCodec, type ProtoCodecOptions, protoCodec } from './proto.ts';
