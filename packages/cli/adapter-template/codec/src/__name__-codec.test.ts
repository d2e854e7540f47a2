import { describeCodecContract } from '@kratos/testkit';
import { create__Name__Codec } from './index.ts';

describeCodecContract(create__Name__Codec(), {
  name: '__name__',
  contentType: 'application/x-__name__',
  // Bytes the decoder must reject: add the malformed inputs of the __name__ format.
  invalid: ['{', '{"a":', 'not __name__', new Uint8Array([0xff, 0xfe, 0x7b, 0x7d])],
});
