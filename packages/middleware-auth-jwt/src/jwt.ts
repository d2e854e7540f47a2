import { type Context, type ContextKey, createContextKey, KratosError, type Middleware } from '@kratos/core';
import {
  type CryptoKey,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from 'jose';

/** Reason of every authentication failure, as Go Kratos. */
export const UNAUTHORIZED_REASON = 'UNAUTHORIZED';

/** Go Kratos' messages (middleware/auth/jwt), kept byte for byte, trailing space included. */
export const JWT_MESSAGES = {
  missingToken: 'JWT token is missing',
  missingKeyFunc: 'keyFunc is missing',
  tokenInvalid: 'Token is invalid',
  tokenExpired: 'JWT token has expired',
  tokenParseFail: 'Fail to parse JWT token ',
  unsupportedSigningMethod: 'Wrong signing method',
  wrongContext: 'Wrong context for middleware',
  needTokenProvider: 'Token provider is missing',
  signToken: 'Can not sign token.Is the key correct?',
  getKey: 'Can not get key while signing token',
} as const;

/** A 401 `UNAUTHORIZED` with one of {@link JWT_MESSAGES}. */
export function unauthorizedJwt(message: string, cause?: unknown): KratosError {
  return new KratosError(401, UNAUTHORIZED_REASON, message, cause === undefined ? {} : { cause });
}

/** A verification or signing key: an HMAC secret (string or bytes), a CryptoKey, a KeyObject or a JWK. */
export type JwtKey = string | Uint8Array | CryptoKey | KeyObject | JWK;

/** Looks a verification key up from the token's protected header (by `kid`, say). */
export type JwtKeyLookup = (header: JWTHeaderParameters) => JwtKey | Promise<JwtKey>;

/** Where the claims of a verified token are kept on the context. */
export const JWT_CLAIMS_KEY: ContextKey<unknown> = createContextKey<unknown>('kratos.auth.jwt.claims');

/** The claims {@link jwtServer} verified for this call (what its `claims` option returned). */
export function claimsFromContext<T = JWTPayload>(ctx: Context): T | undefined {
  return ctx.get(JWT_CLAIMS_KEY) as T | undefined;
}

/** Remote JWKS cache settings (jose's `createRemoteJWKSet`). */
export interface JwksOptions {
  /** Longest time a fetched set is used, ms. Default 600000 (10 min). */
  cacheMaxAge?: number;
  /**
   * After a fetch, no refetch for an unknown `kid` within this many ms (stops a flood of forged
   * kids from hammering the JWKS endpoint). Default 30000.
   */
  cooldownDuration?: number;
  /** Fetch timeout, ms. Default 5000. */
  timeoutDuration?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Options of {@link jwtServer}; exactly one of `key`, `keys`, `jwksUrl`. */
export interface JwtServerOptions<T = JWTPayload> {
  /** One key: an HMAC secret or a public key. */
  key?: JwtKey;
  /** Keys by `kid`, or a lookup from the protected header. */
  keys?: Readonly<Record<string, JwtKey>> | JwtKeyLookup;
  /** A JWKS document URL; keys are cached and refetched when an unknown `kid` shows up (rotation). */
  jwksUrl?: string | URL;
  jwks?: JwksOptions;
  /**
   * Accepted `alg` values. Default `['HS256']` (Go Kratos' default signing method) for an HMAC
   * secret; for other keys, what the key type allows. `none` is never accepted.
   */
  algorithms?: string[];
  /** Required `iss`. */
  issuer?: string | string[];
  /** Required `aud` (one of). */
  audience?: string | string[];
  /** Leeway for `exp`/`nbf`, seconds or a jose duration string (`'30s'`). Default 0. */
  clockTolerance?: string | number;
  /**
   * Maps the verified payload to what handlers get from {@link claimsFromContext}; throwing
   * rejects the call (401 `Token is invalid`, or the thrown KratosError as is).
   */
  claims?: (payload: JWTPayload, header: JWTHeaderParameters) => T | Promise<T>;
}

const BEARER = /^bearer$/i;

function toKey(key: JwtKey): Exclude<JwtKey, string> {
  return typeof key === 'string' ? new TextEncoder().encode(key) : key;
}

function isSecret(key: JwtKey | undefined): boolean {
  return typeof key === 'string' || key instanceof Uint8Array;
}

/** jose's error codes -> Go Kratos' answers (jwt.go maps golang-jwt errors the same way). */
function mapVerifyError(err: unknown): KratosError {
  if (KratosError.is(err)) return err;
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return unauthorizedJwt(JWT_MESSAGES.tokenExpired, err);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      // Go answers "not valid yet" like "expired"; other claim failures are parse failures.
      return (err as { claim?: string }).claim === 'nbf'
        ? unauthorizedJwt(JWT_MESSAGES.tokenExpired, err)
        : unauthorizedJwt(JWT_MESSAGES.tokenParseFail, err);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    // No key to check it with: golang-jwt's ErrTokenUnverifiable, "Token is invalid" in Go.
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWK_INVALID':
    case 'ERR_JOSE_GENERIC':
      return unauthorizedJwt(JWT_MESSAGES.tokenInvalid, err);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return unauthorizedJwt(JWT_MESSAGES.unsupportedSigningMethod, err);
    default:
      // Bad signature (ERR_JWS_SIGNATURE_VERIFICATION_FAILED), unsupported algorithms, ...
      return unauthorizedJwt(JWT_MESSAGES.tokenParseFail, err);
  }
}

/**
 * Server middleware verifying `Authorization: Bearer <token>` (HTTP header or gRPC metadata) with
 * jose, like Go Kratos' `jwt.Server`: failures are 401 `UNAUTHORIZED` with Go's messages; the
 * claims go into the context ({@link claimsFromContext}).
 */
export function jwtServer<T = JWTPayload>(options: JwtServerOptions<T>): Middleware {
  const given = [options.key, options.keys, options.jwksUrl].filter((x) => x !== undefined).length;
  if (given > 1) throw new TypeError('jwtServer: give one of key, keys, jwksUrl');
  let getKey: JWTVerifyGetKey | Exclude<JwtKey, string> | undefined;
  if (options.key !== undefined) getKey = toKey(options.key);
  else if (typeof options.keys === 'function') {
    const lookup = options.keys;
    getKey = async (header: JWTHeaderParameters) => toKey(await lookup(header)) as never;
  } else if (options.keys !== undefined) {
    const table = options.keys;
    getKey = async (header: JWTHeaderParameters) => {
      const k = header.kid === undefined ? undefined : table[header.kid];
      if (k === undefined) {
        throw Object.assign(new Error(`no key for kid ${header.kid ?? '(none)'}`), {
          code: 'ERR_JWKS_NO_MATCHING_KEY',
        });
      }
      return toKey(k) as never;
    };
  } else if (options.jwksUrl !== undefined) {
    getKey = createRemoteJWKSet(new URL(options.jwksUrl), { ...options.jwks });
  }
  const algorithms =
    options.algorithms?.filter((a) => a.toLowerCase() !== 'none') ??
    (isSecret(options.key) ? ['HS256'] : undefined);
  // Only the checks that are set (jose treats a missing one and an undefined one alike).
  const verifyOptions: JWTVerifyOptions = {
    ...(algorithms !== undefined && { algorithms }),
    ...(options.issuer !== undefined && { issuer: options.issuer }),
    ...(options.audience !== undefined && { audience: options.audience }),
    ...(options.clockTolerance !== undefined && { clockTolerance: options.clockTolerance }),
  };
  const mapClaims = options.claims;

  return (next) => async (ctx, req) => {
    if (ctx.side !== 'server') throw unauthorizedJwt(JWT_MESSAGES.wrongContext);
    if (getKey === undefined) throw unauthorizedJwt(JWT_MESSAGES.missingKeyFunc);
    const auth = ctx.requestHeader.get('authorization') ?? '';
    const space = auth.indexOf(' ');
    if (space === -1 || !BEARER.test(auth.slice(0, space))) throw unauthorizedJwt(JWT_MESSAGES.missingToken);
    const token = auth.slice(space + 1);
    let header: JWTHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWTHeaderParameters;
    } catch (err) {
      throw unauthorizedJwt(JWT_MESSAGES.tokenInvalid, err);
    }
    // Unsigned tokens fail the way golang-jwt fails them: a signature that cannot verify.
    if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
      throw unauthorizedJwt(JWT_MESSAGES.tokenParseFail);
    }
    let claims: unknown;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, getKey as JWTVerifyGetKey, verifyOptions);
      claims = mapClaims === undefined ? payload : await mapClaims(payload, protectedHeader);
    } catch (err) {
      if (KratosError.is(err)) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      throw typeof code === 'string' && code.startsWith('ERR_')
        ? mapVerifyError(err)
        : unauthorizedJwt(JWT_MESSAGES.tokenInvalid, err);
    }
    ctx.set(JWT_CLAIMS_KEY, claims);
    return next(ctx, req);
  };
}

/** Options of {@link jwtClient}: either `sign`, or `key` (+ `claims`, `algorithm`, ...). */
export interface JwtClientOptions {
  /** Makes the token of a call (from a token service, a cache, ...). Wins over `key`. */
  sign?: (ctx: Context) => string | Promise<string>;
  /** Signing key: an HMAC secret, a private CryptoKey/KeyObject/JWK. */
  key?: JwtKey;
  /** Default `HS256` (Go Kratos' default signing method). */
  algorithm?: string;
  /** Claims of every token, or per call. Default none (Go signs empty registered claims). */
  claims?: JWTPayload | ((ctx: Context) => JWTPayload);
  /** Extra protected header fields (`kid`, ...). */
  header?: Omit<JWTHeaderParameters, 'alg'>;
  /** Sets `exp` this far ahead: seconds, or a jose duration (`'5m'`). Default none. */
  expiresIn?: number | string;
}

/**
 * Client middleware sending `Authorization: Bearer <token>`, like Go Kratos' `jwt.Client`: the
 * token is signed per call from `key` and `claims`, or comes from `sign`.
 */
export function jwtClient(options: JwtClientOptions): Middleware {
  const algorithm = options.algorithm ?? 'HS256';
  const key = options.key === undefined ? undefined : toKey(options.key);
  const make =
    options.sign ??
    (key === undefined
      ? undefined
      : async (ctx: Context): Promise<string> => {
          const claims = typeof options.claims === 'function' ? options.claims(ctx) : (options.claims ?? {});
          let jwt = new SignJWT({ ...claims }).setProtectedHeader({ ...options.header, alg: algorithm });
          if (options.expiresIn !== undefined) {
            jwt = jwt.setExpirationTime(
              typeof options.expiresIn === 'number'
                ? Math.floor(Date.now() / 1000) + options.expiresIn
                : options.expiresIn,
            );
          }
          return jwt.sign(key as never);
        });
  return (next) => async (ctx, req) => {
    if (make === undefined) throw unauthorizedJwt(JWT_MESSAGES.needTokenProvider);
    if (ctx.side !== 'client') throw unauthorizedJwt(JWT_MESSAGES.wrongContext);
    let token: string;
    try {
      token = await make(ctx);
    } catch (err) {
      throw KratosError.is(err) ? err : unauthorizedJwt(JWT_MESSAGES.signToken, err);
    }
    ctx.requestHeader.set('authorization', `Bearer ${token}`);
    return next(ctx, req);
  };
}
