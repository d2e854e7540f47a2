// kratosErrorOf reads what @connectrpc/connect hands a client: ConnectError-shaped values whose
// details hold google.rpc.ErrorInfo as bytes (the browser path itself runs in test/browser).
import { encodeErrorInfo } from '@kratos/grpc';
import { describe, expect, it } from 'vitest';
import { kratosErrorOf } from './web.ts';

const info = encodeErrorInfo({ reason: 'USER_NOT_FOUND', metadata: { user: 'ann', side: 'ts' } });

describe('kratosErrorOf', () => {
  it('reads code, raw message, reason and metadata of a received error', () => {
    const err = {
      code: 5,
      message: '[not_found] user ann not found',
      rawMessage: 'user ann not found',
      details: [
        { type: 'google.rpc.DebugInfo', value: new Uint8Array([10, 1, 120]) },
        { type: 'google.rpc.ErrorInfo', value: info, debug: { reason: 'ignored' } },
      ],
    };
    expect(kratosErrorOf(err)).toEqual({
      code: 5,
      message: 'user ann not found',
      reason: 'USER_NOT_FOUND',
      metadata: { user: 'ann', side: 'ts' },
    });
  });

  it('is undefined for errors without ErrorInfo and for values that are not received errors', () => {
    expect(kratosErrorOf({ code: 14, message: 'unavailable', details: [] })).toBeUndefined();
    expect(kratosErrorOf(new Error('plain'))).toBeUndefined();
    expect(kratosErrorOf(undefined)).toBeUndefined();
  });
});
