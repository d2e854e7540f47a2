// The report: Markdown tables and hand-written SVG bar charts (no dependency).

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const fmtMs = (us) =>
  Number.isFinite(us)
    ? us >= 10_000
      ? `${(us / 1000).toFixed(0)} ms`
      : `${(us / 1000).toFixed(2)} ms`
    : 'n/a';
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : '-');
export const fmt1 = (n, unit = '') => (Number.isFinite(n) ? `${n.toFixed(1)}${unit}` : 'n/a');

/** A Markdown table from a header row and rows of cells. */
export function table(header, rows, align) {
  const al = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = al.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * Horizontal bars of median throughput with a min-max whisker per row, the ratio to the baseline
 * at the end of each bar; kratos-ts rows in the accent colour, the baseline in dark grey.
 * rows: [{ label, median, min, max, ratio, kind: 'kratos' | 'baseline' | 'other' }]
 */
export function barChart({ title, unit, rows, baselineLabel }) {
  const rowH = 30;
  const left = 210;
  const barMax = 420;
  const width = left + barMax + 130;
  const top = 48;
  const height = top + rows.length * rowH + 34;
  const max = Math.max(...rows.map((r) => (Number.isFinite(r.max) ? r.max : r.median)), 1);
  const scale = barMax / max;
  const colour = { kratos: '#2b7de9', baseline: '#555b66', other: '#a9b0bb' };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#1f2328">${esc(title)}</text>`,
    `<text x="12" y="39" fill="#57606a">median ${esc(unit)} (whisker: min-max of the rounds); ratio to ${esc(baselineLabel)} of the same round</text>`,
  ];
  // grid lines at round numbers
  const step = 10 ** Math.floor(Math.log10(max)) * (max / 10 ** Math.floor(Math.log10(max)) > 5 ? 2 : 1);
  for (let v = 0; v <= max; v += step) {
    const x = left + v * scale;
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${top + rows.length * rowH}" stroke="#eaeef2"/>`,
    );
    out.push(
      `<text x="${x.toFixed(1)}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#57606a" font-size="11">${v >= 1000 ? `${v / 1000}k` : v}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Number.isFinite(r.median) ? r.median * scale : 0;
    out.push(`<text x="${left - 8}" y="${y + 19}" text-anchor="end" fill="#1f2328">${esc(r.label)}</text>`);
    out.push(
      `<rect x="${left}" y="${y + 6}" width="${w.toFixed(1)}" height="${rowH - 12}" rx="2" fill="${colour[r.kind]}"/>`,
    );
    if (Number.isFinite(r.min) && Number.isFinite(r.max) && r.max > r.min) {
      const [x1, x2] = [left + r.min * scale, left + r.max * scale];
      const cy = y + rowH / 2;
      out.push(
        `<path d="M${x1.toFixed(1)} ${cy}H${x2.toFixed(1)}M${x1.toFixed(1)} ${cy - 5}V${cy + 5}M${x2.toFixed(1)} ${cy - 5}V${cy + 5}" stroke="#1f2328" stroke-width="1.2"/>`,
      );
    }
    const label = `${Number.isFinite(r.median) ? fmtInt(r.median) : 'skipped'}${r.kind !== 'baseline' && Number.isFinite(r.ratio) ? `  (${r.ratio.toFixed(2)}x)` : ''}`;
    const xEnd = left + Math.max(w, Number.isFinite(r.max) ? r.max * scale : 0) + 6;
    out.push(
      `<text x="${xEnd.toFixed(1)}" y="${y + 19}" fill="#1f2328" font-weight="${r.kind === 'kratos' ? 600 : 400}">${esc(label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
