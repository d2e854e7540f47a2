import type { Duration } from '@bufbuild/protobuf/wkt';

/** A protobuf Duration in milliseconds, or `fallback` when unset. */
export function durationMs(d: Duration | undefined, fallback: number): number {
  if (!d) return fallback;
  return Number(d.seconds) * 1000 + Math.round(d.nanos / 1e6);
}
