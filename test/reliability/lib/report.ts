import type { LoadResult } from './load.ts';
import { type ScenarioResult, scenarioTitles } from './scenarios.ts';

const kinds = (errors: Record<string, number>, limit = 4): string => {
  const sorted = Object.entries(errors).sort((x, y) => y[1] - x[1]);
  if (sorted.length === 0) return '';
  const shown = sorted
    .slice(0, limit)
    .map(([k, n]) => `${n}× \`${k.replaceAll('|', '\\|').replaceAll('`', "'")}\``);
  if (sorted.length > limit) shown.push(`${sorted.length - limit} more kinds`);
  return shown.join('; ');
};

const phases = (r: LoadResult): string =>
  r.phases
    .filter((p) => p.failed > 0)
    .map((p) => `${p.failed} after "${p.name}"`)
    .join(', ');

/** The calls the issue's target for a scenario is about, and whether it is met. */
export function targetOf(s: ScenarioResult, r: LoadResult): { failed: number; met: boolean | undefined } {
  if (s.scenario === 'sigkill') {
    const failed = r.crash?.neverReachedFailed ?? r.failed;
    return { failed, met: failed === 0 && r.hung === 0 };
  }
  if (s.scenario === 'none') return { failed: r.failed, met: undefined };
  return { failed: r.failed, met: r.failed === 0 && r.hung === 0 };
}

/** One markdown table: a row per transport. */
export function formatScenario(s: ScenarioResult): string {
  const crash = s.scenario === 'sigkill';
  const head = crash
    ? '| transport | calls | failed | in flight on the killed node (failed) | failed, never reached it | target | why |'
    : '| transport | calls | failed | target | why |';
  const rule = crash
    ? '| --- | ---: | ---: | ---: | ---: | --- | --- |'
    : '| --- | ---: | ---: | --- | --- |';
  const rows = s.results.map((r) => {
    const t = targetOf(s, r);
    const target = t.met === undefined ? '—' : t.met ? 'met' : '**missed**';
    const why = [kinds(r.errors), phases(r), r.hung > 0 ? `${r.hung} calls still unfinished at the end` : '']
      .filter(Boolean)
      .join(' — ');
    const failed = r.failed === 0 ? '0' : `**${r.failed}**`;
    if (!crash) return `| ${r.transport} | ${r.calls} | ${failed} | ${target} | ${why} |`;
    const c = r.crash;
    const inflight = c ? `${c.inFlight} (${c.inFlightFailed})` : '?';
    const never = c ? (c.neverReachedFailed === 0 ? '0' : `**${c.neverReachedFailed}**`) : '?';
    return `| ${r.transport} | ${r.calls} | ${failed} | ${inflight} | ${never} | ${target} | ${why || ''} |`;
  });
  return [
    `### ${scenarioTitles[s.scenario]} — ${s.registry} (${(s.durationMs / 1000).toFixed(0)} s)`,
    '',
    head,
    rule,
    ...rows,
    '',
    `Timeline: ${s.timeline.join('; ')}.`,
  ].join('\n');
}
