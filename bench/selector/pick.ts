// Selector pick cost per balancer at 10 and 300 nodes.
// Run: node --conditions=kratos-source bench/selector/pick.ts
import { createContext } from '../../packages/core/src/index.ts';
import { type BalancerName, createNode, createSelector } from '../../packages/selector/src/index.ts';

const ctx = createContext({ kind: 'grpc', side: 'client', operation: '/bench.v1.Svc/Call' });
const ROUNDS = 200_000;

function run(balancer: BalancerName, size: number): number {
  const selector = createSelector({ balancer });
  selector.apply(
    Array.from({ length: size }, (_, i) =>
      createNode({
        scheme: 'grpc',
        address: `10.0.${i >> 8}.${i & 255}:9000`,
        metadata: { weight: String(1 + (i % 5)) },
      }),
    ),
  );
  const loop = (n: number) => {
    for (let i = 0; i < n; i++) selector.select(ctx).done({});
  };
  loop(ROUNDS / 4); // warm-up
  const start = process.hrtime.bigint();
  loop(ROUNDS);
  return Number(process.hrtime.bigint() - start) / ROUNDS;
}

const configs = (['p2c', 'wrr', 'random'] as const).flatMap((b) => [10, 300].map((n) => [b, n] as const));
// One untimed pass first so every code path is optimised before anything is measured.
for (const [balancer, size] of configs) run(balancer, size);
console.log('balancer  nodes  ns/pick');
for (const [balancer, size] of configs) {
  console.log(
    `${balancer.padEnd(8)}  ${String(size).padStart(5)}  ${run(balancer, size).toFixed(0).padStart(7)}`,
  );
}
