/** Median and min/max of a list of milliseconds, printed on one line. */
export function summary(label: string, samples: number[], targetMs: number): string {
  const s = [...samples].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  const verdict = median < targetMs ? 'meets' : 'MISSES';
  return `${label}: median ${median.toFixed(0)} ms (min ${s[0]!.toFixed(0)}, max ${s[s.length - 1]!.toFixed(0)}, n=${s.length}) — ${verdict} the ${targetMs} ms target`;
}
