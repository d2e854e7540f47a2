/**
 * gRPC status codes, numbered as in the gRPC spec.
 * Kept here so core can map errors without depending on a gRPC library.
 */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code number. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** The non-standard HTTP status Kratos (like nginx) uses when the caller went away. */
export const CLIENT_CLOSED = 499;

const httpToGrpcTable: ReadonlyMap<number, GrpcStatusCode> = new Map([
  [200, GrpcStatus.OK],
  [400, GrpcStatus.INVALID_ARGUMENT],
  [401, GrpcStatus.UNAUTHENTICATED],
  [403, GrpcStatus.PERMISSION_DENIED],
  [404, GrpcStatus.NOT_FOUND],
  [409, GrpcStatus.ABORTED],
  [429, GrpcStatus.RESOURCE_EXHAUSTED],
  [CLIENT_CLOSED, GrpcStatus.CANCELLED],
  [500, GrpcStatus.INTERNAL],
  [501, GrpcStatus.UNIMPLEMENTED],
  [503, GrpcStatus.UNAVAILABLE],
  [504, GrpcStatus.DEADLINE_EXCEEDED],
]);

const grpcToHttpTable: readonly number[] = [
  200, // OK
  CLIENT_CLOSED, // CANCELLED
  500, // UNKNOWN
  400, // INVALID_ARGUMENT
  504, // DEADLINE_EXCEEDED
  404, // NOT_FOUND
  409, // ALREADY_EXISTS
  403, // PERMISSION_DENIED
  429, // RESOURCE_EXHAUSTED
  400, // FAILED_PRECONDITION
  409, // ABORTED
  400, // OUT_OF_RANGE
  501, // UNIMPLEMENTED
  500, // INTERNAL
  503, // UNAVAILABLE
  500, // DATA_LOSS
  401, // UNAUTHENTICATED
];

/** Maps an HTTP status to the gRPC code Go Kratos uses for it; anything unlisted is UNKNOWN. */
export function httpToGrpcCode(httpStatus: number): GrpcStatusCode {
  return httpToGrpcTable.get(httpStatus) ?? GrpcStatus.UNKNOWN;
}

/** Maps a gRPC code to the HTTP status Go Kratos uses for it; anything unlisted is 500. */
export function grpcToHttpCode(grpcCode: number): number {
  return grpcToHttpTable[grpcCode] ?? 500;
}
