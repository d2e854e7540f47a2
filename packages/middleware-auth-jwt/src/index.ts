export {
  claimsFromContext,
  JWT_CLAIMS_KEY,
  JWT_MESSAGES,
  type JwksOptions,
  type JwtClientOptions,
  type JwtKey,
  type JwtKeyLookup,
  type JwtServerOptions,
  jwtClient,
  jwtServer,
  UNAUTHORIZED_REASON,
  unauthorizedJwt,
} from './jwt.ts';
