import type { ServerResponse } from 'node:http';
import { KratosError } from '@kratos/core';
import { CODEC_REASON } from './binding.ts';
import { nodeHttp } from './node-http.ts';

/**
 * The reason we give errors the transport itself raises: the status text in UPPER_SNAKE
 * (404 `NOT_FOUND`, 405 `METHOD_NOT_ALLOWED`, 413 `PAYLOAD_TOO_LARGE`, 415 `UNSUPPORTED_MEDIA_TYPE`,
 * 431 `REQUEST_HEADER_FIELDS_TOO_LARGE`, ...). Go Kratos' mux answers these with plain text.
 */
export function reasonForStatus(status: number): string {
  return (nodeHttp.STATUS_CODES[status] ?? 'UNKNOWN').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** A transport-level error with the status-derived reason. */
export function statusError(status: number, message: string): KratosError {
  return new KratosError(status, reasonForStatus(status), message);
}

/** Fastify's own 4xx errors (body parsing, limits) as Kratos errors; anything else via fromError. */
export function toKratosError(err: unknown): KratosError {
  if (KratosError.is(err)) return err;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  const status = e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = typeof e?.code === 'string' ? e.code : '';
    const reason =
      status === 400 && (code.startsWith('FST_ERR_CTP_') || code === 'FST_ERR_BAD_URL')
        ? CODEC_REASON
        : reasonForStatus(status);
    return new KratosError(status, reason, String(e?.message ?? ''), { cause: err });
  }
  return KratosError.fromError(err);
}

/** A status Node accepts; anything outside 200..599 becomes 500 (a bad code must not crash the reply). */
export function httpStatus(code: number): number {
  return Number.isInteger(code) && code >= 200 && code <= 599 ? code : 500;
}

/** The JSON Kratos error body. */
export function errorBody(err: KratosError): string {
  return JSON.stringify(err.toJSON());
}

/** Writes a Kratos error straight to a Node response (paths that run outside fastify's reply). */
export function writeRawError(
  res: ServerResponse,
  err: KratosError,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorBody(err);
  res.writeHead(httpStatus(err.code), {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}
