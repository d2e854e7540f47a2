// Deadlines as the protocols carry them.

const GRPC_UNITS: Record<string, number> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

/**
 * Milliseconds of a `grpc-timeout` header (`1S`, `250m`, at most 8 digits and a unit), or
 * undefined when absent; NaN when malformed.
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const unit = GRPC_UNITS[value.charAt(value.length - 1)];
  const digits = value.slice(0, -1);
  if (unit === undefined || digits.length === 0 || digits.length > 8 || !/^\d+$/.test(digits)) return NaN;
  return Number(digits) * unit;
}

/** Milliseconds of a `connect-timeout-ms` header (at most 10 digits), undefined when absent, NaN when malformed. */
export function parseConnectTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > 10 || !/^\d+$/.test(value)) return NaN;
  return Number(value);
}
