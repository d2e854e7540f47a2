// Time to create, start (no servers) and stop an App: the fixed cost of the lifecycle itself.
// Target: under 50 ms (median of RUNS).
// Run: node --conditions=kratos-source bench/core/app-lifecycle.ts
import { createApp, createMemoryRegistry, type Logger } from '../../packages/core/src/index.ts';

const RUNS = 200;
const TARGET_MS = 50;
const quiet: Logger = { log() {} };

async function once(withRegistrar: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  const app = createApp({
    name: 'bench',
    signals: [],
    logger: quiet,
    ...(withRegistrar ? { registrar: createMemoryRegistry() } : {}),
  });
  const running = app.run();
  await app.stop();
  await running;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p90: at(0.9), max: s[s.length - 1]! };
};

// The first run pays for module and JIT warm-up; report it on its own.
const first = await once(false);
for (let i = 0; i < 20; i++) await once(false);

console.log(`node ${process.version}, ${RUNS} runs each, ms (create + run + stop, signals: [])`);
console.log(`first run (cold):              ${first.toFixed(3)}`);
let median = 0;
for (const [label, withRegistrar] of [
  ['no servers, no registrar', false],
  ['no servers, memory registrar', true],
] as const) {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(await once(withRegistrar));
  const s = stats(xs);
  if (!withRegistrar) median = s.median;
  console.log(
    `${label.padEnd(30)} median ${s.median.toFixed(3)}  p90 ${s.p90.toFixed(3)}  max ${s.max.toFixed(3)}`,
  );
}
console.log(
  `\napp create+start+stop median ${median.toFixed(3)} ms; target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'MET' : 'NOT MET'}`,
);
