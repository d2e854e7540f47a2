// Kratos errors as grpc-js statuses, both ways: the code mapped from the HTTP code, the message,
// and the ErrorInfo detail (error-details.ts) in the `grpc-status-details-bin` trailer.
import { Metadata as GrpcMetadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { KratosError } from '@kratos/core';
import { grpcToHttpCode, UNKNOWN_REASON } from '@kratos/core/transport';
import {
  decodeErrorInfo,
  decodeRpcStatus,
  ERROR_INFO_TYPE_URL,
  encodeErrorInfo,
  encodeRpcStatus,
  STATUS_DETAILS_KEY,
} from './error-details.ts';

/**
 * The status a server answers for any thrown value: Go Kratos' `Error.GRPCStatus()`, i.e. the
 * code mapped from the HTTP code, the message, and a `grpc-status-details-bin` trailer with
 * `ErrorInfo{reason, metadata}`. Non-Kratos errors become 500 with their message (never a stack).
 */
export function toGrpcStatus(
  error: unknown,
  trailers?: GrpcMetadata,
): Required<Pick<StatusObject, 'code' | 'details'>> & {
  metadata: GrpcMetadata;
} {
  const e = KratosError.fromError(error);
  const code = e.grpcCode;
  const message = e.message;
  const info = encodeErrorInfo({ reason: e.reason, metadata: e.metadata as Record<string, string> });
  const bin = encodeRpcStatus({ code, message, details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }] });
  const metadata = trailers ?? new GrpcMetadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength));
  return { code, details: message, metadata };
}

/**
 * Go Kratos' `errors.FromError` for a gRPC status: code via grpcToHttpCode, message from the
 * status, reason and metadata from the first `ErrorInfo` detail (else reason '').
 */
export function fromGrpcStatus(code: number, details: string, trailers?: GrpcMetadata): KratosError {
  const httpCode = grpcToHttpCode(code);
  const raw = trailers?.get(STATUS_DETAILS_KEY)[0];
  if (raw !== undefined && typeof raw !== 'string') {
    try {
      const st = decodeRpcStatus(raw);
      for (const d of st.details) {
        if (d.typeUrl !== ERROR_INFO_TYPE_URL) continue;
        const info = decodeErrorInfo(d.value);
        return new KratosError(httpCode, info.reason, st.message || details, { metadata: info.metadata });
      }
    } catch {
      // A peer that sends garbage details still gets its code and message through.
    }
  }
  return new KratosError(httpCode, UNKNOWN_REASON, details);
}

/** Converts an error from a grpc-js client call into a KratosError (AbortError-like cancels stay 499). */
export function fromServiceError(error: unknown): KratosError {
  if (KratosError.is(error)) return error;
  const e = error as Partial<ServiceError> | undefined;
  if (e && typeof e.code === 'number') {
    const k = fromGrpcStatus(
      e.code,
      typeof e.details === 'string' ? e.details : String(e.message ?? ''),
      e.metadata,
    );
    return k.withCause(error);
  }
  return KratosError.fromError(error);
}
