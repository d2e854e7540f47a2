import { describe, expect, it } from 'vitest';
import { CLIENT_CLOSED, GrpcStatus, grpcToHttpCode, httpToGrpcCode } from '../transport.ts';

// The tables of KRATOS.md (Go Kratos' transport/http/status), row by row.
const httpToGrpc: Array<[number, number]> = [
  [200, GrpcStatus.OK],
  [400, GrpcStatus.INVALID_ARGUMENT],
  [401, GrpcStatus.UNAUTHENTICATED],
  [403, GrpcStatus.PERMISSION_DENIED],
  [404, GrpcStatus.NOT_FOUND],
  [409, GrpcStatus.ABORTED],
  [429, GrpcStatus.RESOURCE_EXHAUSTED],
  [499, GrpcStatus.CANCELLED],
  [500, GrpcStatus.INTERNAL],
  [501, GrpcStatus.UNIMPLEMENTED],
  [503, GrpcStatus.UNAVAILABLE],
  [504, GrpcStatus.DEADLINE_EXCEEDED],
];

const grpcToHttp: Array<[number, number]> = [
  [GrpcStatus.OK, 200],
  [GrpcStatus.CANCELLED, 499],
  [GrpcStatus.UNKNOWN, 500],
  [GrpcStatus.INVALID_ARGUMENT, 400],
  [GrpcStatus.DEADLINE_EXCEEDED, 504],
  [GrpcStatus.NOT_FOUND, 404],
  [GrpcStatus.ALREADY_EXISTS, 409],
  [GrpcStatus.PERMISSION_DENIED, 403],
  [GrpcStatus.RESOURCE_EXHAUSTED, 429],
  [GrpcStatus.FAILED_PRECONDITION, 400],
  [GrpcStatus.ABORTED, 409],
  [GrpcStatus.OUT_OF_RANGE, 400],
  [GrpcStatus.UNIMPLEMENTED, 501],
  [GrpcStatus.INTERNAL, 500],
  [GrpcStatus.UNAVAILABLE, 503],
  [GrpcStatus.DATA_LOSS, 500],
  [GrpcStatus.UNAUTHENTICATED, 401],
];

describe('HTTP <-> gRPC code tables', () => {
  it('numbers gRPC codes as the gRPC spec does', () => {
    expect(Object.values(GrpcStatus)).toEqual([...Array(17).keys()]);
    expect(CLIENT_CLOSED).toBe(499);
  });

  for (const [http, grpc] of httpToGrpc) {
    it(`HTTP ${http} -> gRPC ${grpc}`, () => {
      expect(httpToGrpcCode(http)).toBe(grpc);
    });
  }

  it('any other HTTP status -> UNKNOWN', () => {
    for (const other of [0, 201, 204, 301, 402, 405, 408, 410, 418, 422, 502, 505, 599, -1, 404.5]) {
      expect(httpToGrpcCode(other)).toBe(GrpcStatus.UNKNOWN);
    }
  });

  for (const [grpc, http] of grpcToHttp) {
    it(`gRPC ${grpc} -> HTTP ${http}`, () => {
      expect(grpcToHttpCode(grpc)).toBe(http);
    });
  }

  it('covers every gRPC code, and anything outside the spec -> 500', () => {
    expect(grpcToHttp.map(([g]) => g).sort((a, b) => a - b)).toEqual(Object.values(GrpcStatus));
    for (const other of [17, 99, -1, 1.5, Number.NaN]) expect(grpcToHttpCode(other)).toBe(500);
  });

  it('the round trip HTTP -> gRPC -> HTTP restores every mapped status', () => {
    for (const [http] of httpToGrpc) expect(grpcToHttpCode(httpToGrpcCode(http))).toBe(http);
  });
});
