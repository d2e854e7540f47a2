// What a call ends with, and how each protocol writes it. The Kratos mapping (code from the HTTP
// code, message, google.rpc.ErrorInfo{reason, metadata} as the one detail) is @kratos/grpc's.

import { KratosError, type Metadata } from '@kratos/core';
import {
  type AnyMessage,
  ERROR_INFO_TYPE_URL,
  encodeErrorInfo,
  encodeRpcStatus,
  STATUS_DETAILS_KEY,
} from '@kratos/grpc/services';
import { MessageTooLarge } from './envelope.ts';

/** gRPC status codes used by the transport itself. */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/**
 * An error that ends a call with exactly this gRPC status (code, message, details, trailers),
 * bypassing the Kratos mapping: for services that must answer a code the HTTP mapping cannot
 * express (`ALREADY_EXISTS`, `UNKNOWN`, ...) or details other than ErrorInfo. Handlers normally
 * throw a `KratosError`.
 */
export class RpcError extends Error {
  readonly code: number;
  readonly details: AnyMessage[];
  readonly metadata: Metadata | undefined;
  constructor(code: number, message: string, options: { details?: AnyMessage[]; metadata?: Metadata } = {}) {
    super(message);
    this.code = code;
    this.details = options.details ?? [];
    this.metadata = options.metadata;
  }
  override get name(): string {
    return 'RpcError';
  }
}

/** The status a call ends with. */
export interface CallStatus {
  code: number;
  message: string;
  /** `google.rpc.Status.details`. */
  details: AnyMessage[];
  /** Trailers carried by the error itself (RpcError). */
  metadata?: Metadata | undefined;
  /** The Kratos reason and metadata, when the status came from a KratosError. */
  kratos?: { reason: string; metadata: Record<string, string> };
}

/** The status for a thrown value: RpcError as it is, everything else through KratosError (never a stack). */
export function statusOf(error: unknown): CallStatus {
  if (error instanceof RpcError)
    return { code: error.code, message: error.message, details: error.details, metadata: error.metadata };
  if (error instanceof MessageTooLarge)
    return { code: Code.RESOURCE_EXHAUSTED, message: error.message, details: [] };
  const e = KratosError.fromError(error);
  const info = encodeErrorInfo({ reason: e.reason, metadata: e.metadata as Record<string, string> });
  return {
    code: e.grpcCode,
    message: e.message,
    details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }],
    kratos: { reason: e.reason, metadata: e.metadata as Record<string, string> },
  };
}

/** Unpadded base64, as gRPC wants `-bin` values and Connect wants detail values. */
const b64 = (v: Uint8Array) =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64').replace(/=+$/, '');

/** `grpc-message`: percent-encodes what is not printable ASCII, and `%`. */
export function encodeGrpcMessage(message: string): string {
  // Fast path: nothing to escape.
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte < 0x20 || byte > 0x7e || byte === 0x25
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte);
  }
  return out;
}

/** The gRPC trailers of a status (`grpc-status`, `grpc-message`, `grpc-status-details-bin`). */
export function grpcStatusHeaders(status: CallStatus, into: Record<string, string | string[]>): void {
  into['grpc-status'] = String(status.code);
  if (status.message) into['grpc-message'] = encodeGrpcMessage(status.message);
  if (status.details.length > 0) {
    const bin = encodeRpcStatus({ code: status.code, message: status.message, details: status.details });
    into[STATUS_DETAILS_KEY] = b64(bin);
  }
}

const CONNECT_CODES = [
  'ok',
  'canceled',
  'unknown',
  'invalid_argument',
  'deadline_exceeded',
  'not_found',
  'already_exists',
  'permission_denied',
  'resource_exhausted',
  'failed_precondition',
  'aborted',
  'out_of_range',
  'unimplemented',
  'internal',
  'unavailable',
  'data_loss',
  'unauthenticated',
] as const;

const CONNECT_HTTP_STATUS = [
  200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401,
];

/** The Connect code name of a gRPC code. */
export function connectCodeName(code: number): string {
  return CONNECT_CODES[code] ?? 'unknown';
}

/** The HTTP status of a Connect unary error. */
export function connectHttpStatus(code: number): number {
  return CONNECT_HTTP_STATUS[code] ?? 500;
}

/** The gRPC code of a Connect code name (undefined for an unknown name). */
export function codeFromConnectName(name: string): number | undefined {
  const i = (CONNECT_CODES as readonly string[]).indexOf(name);
  return i <= 0 ? undefined : i;
}

/**
 * The Connect error object: `{code, message, details: [{type, value}]}`. An ErrorInfo detail also
 * carries its decoded form as `debug`, so a browser sees the Kratos reason and metadata as JSON.
 */
export function connectErrorJson(status: CallStatus): object {
  const out: { code: string; message?: string; details?: object[] } = { code: connectCodeName(status.code) };
  if (status.message) out.message = status.message;
  if (status.details.length > 0) {
    out.details = status.details.map((d) => {
      const type = d.typeUrl.slice(d.typeUrl.lastIndexOf('/') + 1);
      const detail: { type: string; value: string; debug?: object } = { type, value: b64(d.value) };
      if (d.typeUrl === ERROR_INFO_TYPE_URL && status.kratos) detail.debug = status.kratos;
      return detail;
    });
  }
  return out;
}
