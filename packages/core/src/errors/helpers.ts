import { CLIENT_CLOSED } from './codes.ts';
import { errorCode, KratosError, type KratosErrorOptions } from './kratos-error.ts';

type Make = (reason: string, message: string, options?: KratosErrorOptions) => KratosError;
type Test = (error: unknown) => boolean;

function pair(code: number): [Make, Test] {
  return [
    (reason, message, options) => new KratosError(code, reason, message, options),
    (error) => error != null && errorCode(error) === code,
  ];
}

/** 400: the caller sent something invalid. */
export const badRequest: Make = pair(400)[0];
/** True when the error's code is 400. */
export const isBadRequest: Test = pair(400)[1];
/** 401: no or bad credentials. */
export const unauthorized: Make = pair(401)[0];
/** True when the error's code is 401. */
export const isUnauthorized: Test = pair(401)[1];
/** 403: credentials fine, access denied. */
export const forbidden: Make = pair(403)[0];
/** True when the error's code is 403. */
export const isForbidden: Test = pair(403)[1];
/** 404: no such thing. */
export const notFound: Make = pair(404)[0];
/** True when the error's code is 404. */
export const isNotFound: Test = pair(404)[1];
/** 409: conflicts with the current state. */
export const conflict: Make = pair(409)[0];
/** True when the error's code is 409. */
export const isConflict: Test = pair(409)[1];
/** 500: the server failed. */
export const internalServer: Make = pair(500)[0];
/** True when the error's code is 500. */
export const isInternalServer: Test = pair(500)[1];
/** 503: try again later. */
export const serviceUnavailable: Make = pair(503)[0];
/** True when the error's code is 503. */
export const isServiceUnavailable: Test = pair(503)[1];
/** 504: the deadline passed. */
export const gatewayTimeout: Make = pair(504)[0];
/** True when the error's code is 504. */
export const isGatewayTimeout: Test = pair(504)[1];
/** 499: the caller went away. */
export const clientClosed: Make = pair(CLIENT_CLOSED)[0];
/** True when the error's code is 499. */
export const isClientClosed: Test = pair(CLIENT_CLOSED)[1];
