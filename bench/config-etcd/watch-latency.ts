// How long a change written to etcd takes to reach a `config.watch(key)` callback, through
// @kratos/config-etcd (etcd watch -> re-read of the key) and @kratos/config (decode, merge, swap).
// Target: p99 under 100 ms on loopback.
// Run: node --conditions=kratos-source bench/config-etcd/watch-latency.ts
import { createRequire } from 'node:module';
import { createEtcdSource } from '../../contrib/config-etcd/src/index.ts';
import { createConfig } from '../../packages/config/src/index.ts';
import { startServer } from '../../packages/testkit/src/servers.ts';

// The writer uses the same etcd3 client the source depends on.
const { Etcd3 } = createRequire(new URL('../../contrib/config-etcd/package.json', import.meta.url))(
  'etcd3',
) as typeof import('etcd3');

const CHANGES = 200;
const WARMUP = 20;
const TARGET_MS = 100;
const quiet = { log() {} };

const etcd = await startServer('etcd');
const hosts = etcd.endpoints.client as string;
const writer = new Etcd3({ hosts });
const key = 'bench/config.yaml';
const doc = (n: number) => `bench:\n  n: ${n}\n`;
await writer.put(key).value(doc(0));
const source = createEtcdSource({ key, connection: { hosts }, logger: quiet });
const config = createConfig({ sources: [source], logger: quiet });

try {
  await config.load();
  let waiting: { n: number; resolve: () => void } | undefined;
  config.watch('bench.n', (v) => {
    if (waiting && v.int() === waiting.n) waiting.resolve();
  });
  const samples: number[] = [];
  for (let n = 1; n <= WARMUP + CHANGES; n++) {
    const seen = new Promise<void>((resolve) => {
      waiting = { n, resolve };
    });
    const t0 = performance.now();
    await writer.put(key).value(doc(n));
    await seen;
    if (n > WARMUP) samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) =>
    samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)] as number;
  const p99 = pct(99);
  console.log(`etcd -> config.watch latency over ${CHANGES} changes (after ${WARMUP} warm-up), loopback:`);
  console.log(
    `  p50 ${pct(50).toFixed(2)} ms  p90 ${pct(90).toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${(samples.at(-1) as number).toFixed(2)} ms`,
  );
  console.log(`  target p99 < ${TARGET_MS} ms: ${p99 < TARGET_MS ? 'MET' : 'NOT MET'}`);
} finally {
  await config.close();
  await source.close();
  writer.close();
  await etcd.stop();
}
