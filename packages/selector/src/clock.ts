/** Milliseconds from an arbitrary origin; only differences matter. */
export type Clock = () => number;

/** The default clock: monotonic, sub-millisecond. */
export const monotonicNow: Clock = () => performance.now();
