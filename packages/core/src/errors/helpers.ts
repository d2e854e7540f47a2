import { CLIENT_CLOSED } from './codes.ts';
import { errorCode, KratosError, type KratosErrorOptions } from './kratos-error.ts';

// One function per code, declared as functions so their signatures name only exported types.
const has = (error: unknown, code: number): boolean => error != null && errorCode(error) === code;

/** 400: the caller sent something invalid. */
export function badRequest(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(400, reason, message, options);
}
/** True when the error's code is 400. */
export function isBadRequest(error: unknown): boolean {
  return has(error, 400);
}
/** 401: no or bad credentials. */
export function unauthorized(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(401, reason, message, options);
}
/** True when the error's code is 401. */
export function isUnauthorized(error: unknown): boolean {
  return has(error, 401);
}
/** 403: credentials fine, access denied. */
export function forbidden(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(403, reason, message, options);
}
/** True when the error's code is 403. */
export function isForbidden(error: unknown): boolean {
  return has(error, 403);
}
/** 404: no such thing. */
export function notFound(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(404, reason, message, options);
}
/** True when the error's code is 404. */
export function isNotFound(error: unknown): boolean {
  return has(error, 404);
}
/** 409: conflicts with the current state. */
export function conflict(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(409, reason, message, options);
}
/** True when the error's code is 409. */
export function isConflict(error: unknown): boolean {
  return has(error, 409);
}
/** 500: the server failed. */
export function internalServer(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(500, reason, message, options);
}
/** True when the error's code is 500. */
export function isInternalServer(error: unknown): boolean {
  return has(error, 500);
}
/** 503: try again later. */
export function serviceUnavailable(
  reason: string,
  message: string,
  options?: KratosErrorOptions,
): KratosError {
  return new KratosError(503, reason, message, options);
}
/** True when the error's code is 503. */
export function isServiceUnavailable(error: unknown): boolean {
  return has(error, 503);
}
/** 504: the deadline passed. */
export function gatewayTimeout(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(504, reason, message, options);
}
/** True when the error's code is 504. */
export function isGatewayTimeout(error: unknown): boolean {
  return has(error, 504);
}
/** 499: the caller went away. */
export function clientClosed(reason: string, message: string, options?: KratosErrorOptions): KratosError {
  return new KratosError(CLIENT_CLOSED, reason, message, options);
}
/** True when the error's code is 499. */
export function isClientClosed(error: unknown): boolean {
  return has(error, CLIENT_CLOSED);
}
