// Per-call cost of a chain of 5 pass-through middleware, against the bare handler.
// Target (PERFORMANCE.md): the default chain may spend ~1 µs of a ~11 µs request.
// Run: node --conditions=kratos-source bench/core/middleware-chain.ts
import {
  asyncContext,
  createContext,
  type Handler,
  type Middleware,
  matchOperations,
} from '../../packages/core/src/index.ts';
import { applyMiddleware } from '../../packages/core/src/transport.ts';

const CALLS = 1_000_000;
const ROUNDS = 7;
const TARGET_NS = 1000;

const passThrough: Middleware = (next) => async (ctx, req) => next(ctx, req);
const handler: Handler = async (_ctx, req) => req;
const operation = '/helloworld.v1.Greeter/SayHello';
const ctx = createContext({ kind: 'http', operation });
const req = { name: 'kratos' };

const variants: Record<string, Handler> = {
  'bare handler': handler,
  '5 pass-through middleware': applyMiddleware(handler, Array(5).fill(passThrough), operation),
  '5 + 3 selective (not matching, left out)': applyMiddleware(
    handler,
    [...Array(5).fill(passThrough), ...Array(3).fill(matchOperations(passThrough).prefix('/admin.').build())],
    operation,
  ),
  '5 + asyncContext()': applyMiddleware(handler, [asyncContext(), ...Array(5).fill(passThrough)], operation),
};

/** ns per call of `h`, awaiting each call like a transport does. */
async function measure(h: Handler, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await h(ctx, req);
  return Number(process.hrtime.bigint() - start) / calls;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Warm every variant up first so all paths are optimised before anything is measured.
for (const h of Object.values(variants)) await measure(h, CALLS / 5);

// Rounds interleave the variants so drift (thermal, GC) hits them alike.
const samples = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, h] of Object.entries(variants)) samples.get(name)!.push(await measure(h, CALLS));
}

const bare = median(samples.get('bare handler')!);
console.log(`node ${process.version}, ${CALLS} calls x ${ROUNDS} rounds, median ns/call`);
console.log('variant                                      ns/call  overhead vs bare');
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`${name.padEnd(42)} ${m.toFixed(1).padStart(9)}  ${(m - bare).toFixed(1).padStart(8)} ns`);
}
const overhead = median(samples.get('5 pass-through middleware')!) - bare;
console.log(
  `\n5 pass-through middleware: ${overhead.toFixed(1)} ns per call over the bare handler; target < ${TARGET_NS} ns: ${
    overhead < TARGET_NS ? 'MET' : 'NOT MET'
  }`,
);
