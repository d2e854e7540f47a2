// Per-line cost of createPinoLogger against pino itself, in one process, rounds interleaved.
// Run (from the repo root):
//   node --conditions=kratos-source contrib/log-pino/bench/per-line.ts [--against <git commit>]
// With --against, log-pino's src/ at that commit is measured side by side with this tree's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@kratos/core';
import { pino } from 'pino';
import { createPinoLogger } from '../src/index.ts';

const LINES = 100_000;
const ROUNDS = 15;

let bytes = 0;
/** A destination that only counts what it is given (the cost measured is the line's, not a write's). */
const sink = () => ({
  write(s: string) {
    bytes += s.length;
  },
});

// The access line of the logging middleware: a message and 7 fields.
const keyvals = [
  'msg',
  'server request',
  'kind',
  'server',
  'component',
  'http',
  'operation',
  '/helloworld.v1.Greeter/SayHello',
  'args',
  '{"name":"kratos"}',
  'code',
  200,
  'reason',
  '',
  'latency',
  0.0000335,
];

type Variant = (i: number) => void;
const viaLogger =
  (logger: Logger): Variant =>
  () =>
    logger.log('info', ...keyvals);

const direct = pino({}, sink());
const variants: Record<string, Variant> = {
  'pino.info(fields, msg)': () =>
    direct.info(
      {
        kind: 'server',
        component: 'http',
        operation: '/helloworld.v1.Greeter/SayHello',
        args: '{"name":"kratos"}',
        code: 200,
        reason: '',
        latency: 0.0000335,
      },
      'server request',
    ),
  'createPinoLogger (this tree)': viaLogger(createPinoLogger({ destination: sink() })),
  'createPinoLogger, a child (this tree)': viaLogger(
    createPinoLogger({ destination: sink() }).with('service.name', 'helloworld', 'service.version', 'v1'),
  ),
  // An option outside the plain set (pino's default messageKey) sends every line through pino.
  'createPinoLogger, through pino (this tree)': viaLogger(
    createPinoLogger({ destination: sink(), options: { messageKey: 'msg' } }),
  ),
};

const args = process.argv.slice(2);
const against = args[args.indexOf('--against') + 1];
if (args.includes('--against') && against) {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, `.against-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const files = execFileSync('git', ['ls-tree', '--name-only', against, 'contrib/log-pino/src/'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const f of files) {
    writeFileSync(
      join(dir, f.slice(f.lastIndexOf('/') + 1)),
      execFileSync('git', ['show', `${against}:${f}`]),
    );
  }
  try {
    const old = (await import(join(dir, 'index.ts'))) as typeof import('../src/index.ts');
    variants[`createPinoLogger (${against})`] = viaLogger(old.createPinoLogger({ destination: sink() }));
    variants[`createPinoLogger, a child (${against})`] = viaLogger(
      old
        .createPinoLogger({ destination: sink() })
        .with('service.name', 'helloworld', 'service.version', 'v1'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(v: Variant): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) v(i);
  return Number(process.hrtime.bigint() - start) / LINES;
}

const results: Record<string, number[]> = {};
for (const name of Object.keys(variants)) results[name] = [];
for (const v of Object.values(variants)) measure(v); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
  for (const [name, v] of Object.entries(variants)) results[name]!.push(measure(v));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = median(results['pino.info(fields, msg)']!);
console.log(
  `node ${process.version}, ${LINES} lines x ${ROUNDS} rounds: ns per line, median and best round (ratio of medians to pino.info)`,
);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  const best = Math.min(...xs);
  console.log(
    `${name.padEnd(44)} ${m.toFixed(0).padStart(6)} ns  best ${best.toFixed(0).padStart(6)} ns  ${(m / base).toFixed(2)}x`,
  );
}
if (bytes === 0) throw new Error('nothing was written');
