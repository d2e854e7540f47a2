#!/usr/bin/env node
// Prints, per scenario, a before/after markdown table from two `run.mjs --json` files:
//   node test/reliability/compare.mjs before.json after.json [--before-label L] [--after-label L]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'before-label': { type: 'string' }, 'after-label': { type: 'string' } },
});
if (positionals.length !== 2) {
  console.error('usage: node test/reliability/compare.mjs before.json after.json');
  process.exit(1);
}
const [before, after] = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')));
const labels = [values['before-label'] ?? 'before', values['after-label'] ?? 'after'];

const titles = {
  none: 'No fault',
  'rolling-restart': 'Rolling restart: SIGTERM A, restart A, SIGTERM B, restart B',
  sigkill: 'SIGKILL of 1 of 2 instances',
  'registry-restart': 'Registry down, back, then a deploy (SIGTERM A, restart A)',
};

/** The same blanking as lib/load.ts' errorKind, for files written before it blanked every number. */
const normal = (kind) =>
  kind
    .replace(/127\.0\.0\.1:(\d+|\*)/g, '@loopback@')
    .replace(/(^\d+)|\d+(\.\d+)?/g, (m, code) => (code ? m : '*'))
    .replaceAll('@loopback@', '127.0.0.1:*');

const why = (errors, limit = 3) => {
  const merged = {};
  for (const [k, n] of Object.entries(errors ?? {})) merged[normal(k)] = (merged[normal(k)] ?? 0) + n;
  const sorted = Object.entries(merged).sort((x, y) => y[1] - x[1]);
  const shown = sorted.slice(0, limit).map(([k, n]) => `${n}× \`${k.replaceAll('|', '\\|')}\``);
  if (sorted.length > limit) shown.push(`${sorted.length - limit} more kinds`);
  return shown.join('; ');
};

const cell = (s, r) => {
  if (s === undefined) return { calls: '—', failed: '—', extra: '—', why: 'not run' };
  if (s.error) return { calls: '—', failed: '—', extra: '—', why: `could not run: ${s.error}` };
  if (r === undefined) return { calls: '—', failed: '—', extra: '—', why: '' };
  const bold = (n) => (n === 0 ? '0' : `**${n}**`);
  const c = r.crash;
  return {
    calls: String(r.calls),
    failed: bold(r.failed),
    extra: c ? `${c.inFlight} (${c.inFlightFailed}) / ${bold(c.neverReachedFailed)}` : '',
    why: [why(r.errors), r.hung ? `${r.hung} unfinished` : ''].filter(Boolean).join('; '),
  };
};

for (const scenario of Object.keys(titles)) {
  const crash = scenario === 'sigkill';
  const rows = [];
  for (const registry of ['etcd', 'zookeeper']) {
    const sb = before.scenarios.find((s) => s.scenario === scenario && s.registry === registry);
    const sa = after.scenarios.find((s) => s.scenario === scenario && s.registry === registry);
    if (!sb && !sa) continue;
    for (const transport of ['http', 'grpc']) {
      const b = cell(
        sb,
        sb?.results?.find((r) => r.transport === transport),
      );
      const a = cell(
        sa,
        sa?.results?.find((r) => r.transport === transport),
      );
      rows.push(
        crash
          ? `| ${registry} | ${transport} | ${b.calls} | ${b.failed} | ${b.extra} | ${b.why} | ${a.calls} | ${a.failed} | ${a.extra} | ${a.why} |`
          : `| ${registry} | ${transport} | ${b.calls} | ${b.failed} | ${b.why} | ${a.calls} | ${a.failed} | ${a.why} |`,
      );
    }
  }
  if (rows.length === 0) continue;
  const [lb, la] = labels;
  console.log(`### ${titles[scenario]}\n`);
  if (crash) {
    console.log(
      `| registry | transport | ${lb}: calls | failed | in flight on B (failed) / failed, never reached B | why | ${la}: calls | failed | in flight on B (failed) / failed, never reached B | why |`,
    );
    console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |');
  } else {
    console.log(`| registry | transport | ${lb}: calls | failed | why | ${la}: calls | failed | why |`);
    console.log('| --- | --- | ---: | ---: | --- | ---: | ---: | --- |');
  }
  console.log(`${rows.join('\n')}\n`);
}
