export {
  createMsgpackCodec,
  MSGPACK_CONTENT_TYPES,
  type MsgpackCodecOptions,
  msgpackCodec,
} from './msgpack-codec.ts';
