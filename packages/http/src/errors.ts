import type { ServerResponse } from 'node:http';
import { type Context, KratosError } from '@kratos/core';
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

// The client side: errors of a call, read back as KratosErrors.

/** undici and socket error codes that mean the node could not be reached or dropped the call. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** A failed client request as a KratosError: the deadline or cancellation, else 503 for network errors. */
export function transportError(ctx: Context, err: unknown): KratosError {
  if (ctx.signal.aborted) return KratosError.fromError(ctx.signal.reason);
  if (KratosError.is(err)) return err;
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code;
  const causeCode = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (NETWORK_ERRORS.has(String(code)) || NETWORK_ERRORS.has(String(causeCode))) {
    return new KratosError(503, '', (err as Error).message, { cause: err });
  }
  return KratosError.fromError(err);
}

const utf8 = new TextDecoder();

/** A non-2xx reply: the Kratos body when there is one, else the status and the text. */
export function errorFromResponse(status: number, bytes: Uint8Array): KratosError {
  const text = utf8.decode(bytes);
  try {
    const body = JSON.parse(text) as unknown;
    if (
      body !== null &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      ('code' in body || 'reason' in body)
    ) {
      return KratosError.fromBody(body, status);
    }
  } catch {
    // not JSON: fall through
  }
  return new KratosError(status, '', text);
}
