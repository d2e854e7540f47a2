export { type __Name__CodecOptions, create__Name__Codec } from './__name__-codec.ts';
