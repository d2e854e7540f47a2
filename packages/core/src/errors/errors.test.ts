import { describe, expect, it } from 'vitest';
import {
  badRequest,
  clientClosed,
  conflict,
  errorCode,
  errorReason,
  forbidden,
  gatewayTimeout,
  internalServer,
  isBadRequest,
  isClientClosed,
  isConflict,
  isForbidden,
  isGatewayTimeout,
  isInternalServer,
  isNotFound,
  isServiceUnavailable,
  isUnauthorized,
  KratosError,
  notFound,
  serviceUnavailable,
  unauthorized,
} from '../index.ts';
import { GrpcStatus, UNKNOWN_CODE, UNKNOWN_REASON } from '../transport.ts';

const BRAND = Symbol.for('@kratos/core/KratosError');

/** What a second copy of @kratos/core (another version in node_modules) would construct. */
class ForeignKratosError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly metadata: Record<string, string> = {};
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

describe('KratosError', () => {
  it('carries code, reason, message, metadata and cause', () => {
    const cause = new Error('db down');
    const err = new KratosError(404, 'USER_NOT_FOUND', 'user 7 not found', {
      metadata: { id: '7' },
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(404);
    expect(err.reason).toBe('USER_NOT_FOUND');
    expect(err.message).toBe('user 7 not found');
    expect(err.metadata).toEqual({ id: '7' });
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('KratosError');
    expect(err.grpcCode).toBe(GrpcStatus.NOT_FOUND);
    expect(new KratosError(400, 'R', 'm').metadata).toEqual({});
    expect(new KratosError(400, 'R', 'm').cause).toBeUndefined();
  });

  it('serialises to the Go Kratos HTTP body, without stack or cause', () => {
    const err = notFound('USER_NOT_FOUND', 'user 7 not found', { cause: new Error('secret') });
    expect(JSON.stringify(err)).toBe(
      '{"code":404,"reason":"USER_NOT_FOUND","message":"user 7 not found","metadata":{}}',
    );
    expect(String(err)).toBe(
      'error: code = 404 reason = USER_NOT_FOUND message = user 7 not found metadata = {}',
    );
  });

  it('matches another error when code and reason match', () => {
    const a = notFound('USER_NOT_FOUND', 'user 1');
    expect(a.matches(notFound('USER_NOT_FOUND', 'user 2', { metadata: { x: 'y' } }))).toBe(true);
    expect(a.matches(notFound('ORDER_NOT_FOUND', 'user 1'))).toBe(false);
    expect(a.matches(badRequest('USER_NOT_FOUND', 'user 1'))).toBe(false);
    expect(a.matches(new Error('user 1'))).toBe(false);
    expect(a.matches(new ForeignKratosError(404, 'USER_NOT_FOUND', 'x'))).toBe(true);
  });

  it('recognises errors branded by a duplicate copy of the package', () => {
    const foreign = new ForeignKratosError(409, 'TAKEN', 'name taken');
    expect(KratosError.is(foreign)).toBe(true);
    expect(foreign instanceof KratosError).toBe(true);
    expect(KratosError.fromError(foreign)).toBe(foreign);
    expect(isConflict(foreign)).toBe(true);
    expect(errorReason(foreign)).toBe('TAKEN');
    // A look-alike without the brand is not one.
    expect(KratosError.is({ code: 409, reason: 'TAKEN', message: 'x' })).toBe(false);
    expect(KratosError.is(null)).toBe(false);
    expect(KratosError.is('x')).toBe(false);
  });

  it('keeps ordinary instanceof for subclasses', () => {
    class UserNotFound extends KratosError {
      constructor(id: string) {
        super(404, 'USER_NOT_FOUND', `user ${id} not found`);
      }
    }
    const sub = new UserNotFound('7');
    expect(sub instanceof KratosError).toBe(true);
    expect(sub instanceof UserNotFound).toBe(true);
    expect(notFound('USER_NOT_FOUND', 'x') instanceof UserNotFound).toBe(false);
  });

  it('fromError: unknown errors become 500 with an empty reason, the original kept as cause', () => {
    const plain = new Error('boom');
    const k = KratosError.fromError(plain);
    expect(k.code).toBe(UNKNOWN_CODE);
    expect(k.code).toBe(500);
    expect(k.reason).toBe(UNKNOWN_REASON);
    expect(k.reason).toBe('');
    expect(k.message).toBe('boom');
    expect(k.cause).toBe(plain);

    const fromString = KratosError.fromError('just a string');
    expect(fromString.code).toBe(500);
    expect(fromString.message).toBe('just a string');
    expect(KratosError.fromError({ message: 'like an error' }).message).toBe('like an error');
    expect(KratosError.fromError(undefined).code).toBe(500);
  });

  it('fromError: abort and timeout errors become 499 and 504', () => {
    const aborted = KratosError.fromError(new DOMException('gone', 'AbortError'));
    expect(aborted.code).toBe(499);
    expect(isClientClosed(aborted)).toBe(true);
    const timedOut = KratosError.fromError(new DOMException('late', 'TimeoutError'));
    expect(timedOut.code).toBe(504);
    expect(timedOut.reason).toBe('');
  });

  it('fromBody rebuilds an error from its wire body and survives malformed ones', () => {
    const body = { code: 404, reason: 'USER_NOT_FOUND', message: 'user 7', metadata: { id: 7 } };
    const k = KratosError.fromBody(body);
    expect(k.toJSON()).toEqual({
      code: 404,
      reason: 'USER_NOT_FOUND',
      message: 'user 7',
      metadata: { id: '7' },
    });
    expect(KratosError.fromBody('Bad Gateway', 502).toJSON()).toEqual({
      code: 502,
      reason: '',
      message: 'Bad Gateway',
      metadata: {},
    });
    expect(KratosError.fromBody(null, 503).code).toBe(503);
    expect(KratosError.fromBody({ code: '404', reason: 5 }, 502).toJSON()).toEqual({
      code: 502,
      reason: '',
      message: '',
      metadata: {},
    });
    expect(KratosError.fromBody({ code: 1.5 }).code).toBe(500);
  });

  it('withMetadata and withCause make copies', () => {
    const base = forbidden('NO', 'no');
    const md = base.withMetadata({ a: 'b' });
    expect(md).not.toBe(base);
    expect(md.metadata).toEqual({ a: 'b' });
    expect(base.metadata).toEqual({});
    const c = new Error('c');
    const withCause = md.withCause(c);
    expect(withCause.cause).toBe(c);
    expect(withCause.metadata).toEqual({ a: 'b' });
    expect(withCause.matches(base)).toBe(true);
  });

  it('errorCode and errorReason of anything', () => {
    expect(errorCode(null)).toBe(200);
    expect(errorCode(undefined)).toBe(200);
    expect(errorCode(new Error('x'))).toBe(500);
    expect(errorCode(unauthorized('TOKEN_EXPIRED', 'x'))).toBe(401);
    expect(errorReason(null)).toBe('');
    expect(errorReason(new Error('x'))).toBe('');
    expect(errorReason(unauthorized('TOKEN_EXPIRED', 'x'))).toBe('TOKEN_EXPIRED');
  });
});

describe('paired helpers', () => {
  const pairs = [
    [badRequest, isBadRequest, 400],
    [unauthorized, isUnauthorized, 401],
    [forbidden, isForbidden, 403],
    [notFound, isNotFound, 404],
    [conflict, isConflict, 409],
    [clientClosed, isClientClosed, 499],
    [internalServer, isInternalServer, 500],
    [serviceUnavailable, isServiceUnavailable, 503],
    [gatewayTimeout, isGatewayTimeout, 504],
  ] as const;

  for (const [make, is, code] of pairs) {
    it(`${make.name || code}: makes a ${code} and recognises only ${code}`, () => {
      const err = make('SOME_REASON', 'some message', { metadata: { k: 'v' } });
      expect(err).toBeInstanceOf(KratosError);
      expect(err.code).toBe(code);
      expect(err.reason).toBe('SOME_REASON');
      expect(err.message).toBe('some message');
      expect(err.metadata).toEqual({ k: 'v' });
      expect(is(err)).toBe(true);
      expect(is(new ForeignKratosError(code, 'X', 'y'))).toBe(true);
      for (const [, , other] of pairs) {
        if (other !== code) expect(is(new KratosError(other, 'R', 'm'))).toBe(false);
      }
      expect(is(null)).toBe(false);
      expect(is(undefined)).toBe(false);
    });
  }

  it('an unknown error counts as internal server error, as in Go', () => {
    expect(isInternalServer(new Error('x'))).toBe(true);
    expect(isNotFound(new Error('x'))).toBe(false);
  });
});
