const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses Go's `time.Duration` syntax (`300ms`, `-1.5h`, `2h45m`, `0`) into milliseconds.
 * A bare number (`"1000"`) is milliseconds. Returns `undefined` for anything else.
 */
export function parseDuration(input: string): number | undefined {
  const s = input.trim();
  if (s === '') return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return Number(s);
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i === s.length) return undefined;
  let total = 0;
  PART.lastIndex = i;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    i = PART.lastIndex;
  }
  return sign * total;
}

/** Formats milliseconds as protobuf JSON's Duration string (`"1.5s"`). */
export function protoDuration(ms: number): string {
  const seconds = ms / 1000;
  // Up to nanosecond precision, without float noise such as 0.30000000000000004.
  return `${Number(seconds.toFixed(9))}s`;
}
