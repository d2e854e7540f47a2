// Renders docs/benchmarks.md and the two SVG charts from the measurements of bench/run.mjs (or
// from bench/.results/results.json with --report-only). Pure: returns the texts, writes nothing.
import { BASELINE, STREAM_REPLIES } from './contenders.mjs';
import { barChart, fmt1, fmtInt, fmtMs, fmtRatio, table } from './report.mjs';
import { median, spread } from './stats.mjs';

function loadTable(rows, transport) {
  const base = BASELINE[transport].replace(/-stream$/, '');
  return table(
    [
      'contender',
      transport === 'grpc-stream' ? 'calls/s (median)' : 'req/s (median)',
      'spread (min-max)',
      'p50',
      'p99',
      `vs ${base}`,
      'server CPU/req',
      `vs ${base} by CPU`,
      'RSS under load',
    ],
    rows.map((r) =>
      r.skipped
        ? [r.label, 'skipped', r.skipped.replace(/\|/g, '/'), '', '', '', '', '', '']
        : [
            r.kratos ? `**${r.label}**` : r.label,
            r.kratos ? `**${fmtInt(r.rps)}**` : fmtInt(r.rps),
            `${fmtInt(r.min)}-${fmtInt(r.max)}`,
            fmtMs(r.p50Us),
            fmtMs(r.p99Us),
            r.baseline
              ? '1.00x'
              : `${r.kratos ? '**' : ''}${fmtRatio(r.ratio)}${r.kratos ? '**' : ''} (${fmtRatio(r.ratioSpread[0])}-${fmtRatio(r.ratioSpread[1])})`,
            `${fmt1(r.cpuUsPerReq)} µs`,
            r.baseline ? '1.00x' : fmtRatio(r.cpuRatio),
            `${fmt1(r.peakRss, ' MB')}`,
          ],
    ),
  );
}

function chart(rows, transport) {
  const base = transport === 'http' ? 'fastify' : 'grpc-js';
  return barChart({
    title: `${transport === 'http' ? 'HTTP  GET /helloworld/{name}' : 'gRPC  helloworld.v1.Greeter/SayHello'}: throughput on one core`,
    unit: 'requests/s',
    baselineLabel: base,
    rows: rows
      .filter((r) => !r.skipped)
      .map((r) => ({
        label: r.label,
        median: r.rps,
        min: r.min,
        max: r.max,
        ratio: r.ratio,
        kind: r.kratos ? 'kratos' : r.baseline ? 'baseline' : 'other',
      })),
  });
}

/** The per-round ratios of rows that name other contenders (`compareTo`), one line per pair. */
function compareLines(rows) {
  return rows
    .filter((r) => !r.skipped)
    .flatMap((r) =>
      (r.compare ?? [])
        .filter((c) => c.rounds > 0)
        .map(
          (c) =>
            `- **${r.label} vs ${c.label}** (same rounds): **${fmtRatio(c.ratio)}** by throughput (${fmtRatio(c.ratioSpread[0])}-${fmtRatio(c.ratioSpread[1])} over ${c.rounds} rounds), **${fmtRatio(c.cpuRatio)}** by server CPU per request.`,
        ),
    );
}

/**
 * r: { v (versions), http, grpc, stream (summarized rows), client ({ direct, kratos } rounds), startup (Map
 * id -> { startMs, idleRss }), selector (rows or null), profiles, skipped (Map id -> reason), notes,
 * analysis (markdown), active (contenders of this run), cfg: { quick, rounds, seconds, warm, starts,
 * serverCpu, loadCpu, mode } }. Returns { markdown, httpSvg, grpcSvg }.
 */
export function renderReport(r) {
  const {
    v,
    http,
    grpc,
    stream = [],
    client,
    startup,
    selector,
    profiles,
    skipped,
    notes,
    analysis,
    active,
    cfg,
  } = r;
  const c = (mode) => client[mode];
  const clientRow = (mode, label) => {
    const rs = c(mode);
    const [min, max] = spread(rs.map((r) => r.rps));
    const ratios = rs.map((r) => r.rps / (c('direct').find((d) => d.round === r.round)?.rps ?? Number.NaN));
    return [
      label,
      fmtInt(median(rs.map((r) => r.rps))),
      `${fmtInt(min)}-${fmtInt(max)}`,
      fmtMs(median(rs.map((r) => r.p50Us))),
      fmtMs(median(rs.map((r) => r.p99Us))),
      mode === 'direct' ? '1.00x' : fmtRatio(median(ratios)),
      `${fmt1(median(rs.map((r) => r.cpuUsPerCall)))} µs`,
    ];
  };
  const lines = [
    '# Benchmarks',
    '',
    `<!-- Written by \`node bench/run.mjs\` (${cfg.quick ? 'quick' : 'full'} mode); do not edit by hand. The analysis section comes from bench/analysis.md. -->`,
    '',
    `Every contender serves the same hello-world: HTTP \`GET /helloworld/{name}\` -> \`{"message":"Hello <name>"}\`, gRPC \`helloworld.v1.Greeter/SayHello\`. Generated ${v.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${v.commit}\`, ${cfg.quick ? 'QUICK mode (one short round: numbers are only a smoke test)' : `${cfg.rounds} rounds`}.`,
    '',
    '![HTTP throughput](benchmarks-http.svg)',
    '',
    '![gRPC throughput](benchmarks-grpc.svg)',
    '',
    '## Machine and versions',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${v.cpu}, ${v.cores} cores, ${v.memGB} GB RAM, Linux ${v.kernel}`],
        [
          'load average (1 min) at start / end',
          `${fmt1(v.load[0])} / ${fmt1(v.load[1])} (other work on the machine competes with the runs)`,
        ],
        ['Node.js', v.node],
        ['Go', v.go],
        ['load generators', `${v.wrk}; ${v.h2load}`],
        ['fastify / @grpc/grpc-js / @bufbuild/protobuf', `${v.fastify} / ${v.grpcJs} / ${v.protobufEs}`],
        ['NestJS core / microservices', `${v.nest} / ${v.nestMicro}`],
        ['moleculer / moleculer-web', `${v.moleculer} / ${v.moleculerWeb}`],
        ['Go Kratos / grpc-go', `${v.kratosGo} / ${v.grpcGo}`],
      ],
      ['l', 'l'],
    ),
    '',
    '## Method',
    '',
    `- Server pinned to CPU ${cfg.serverCpu ?? '(none)'} (\`taskset\`), load generator to CPU ${cfg.loadCpu ?? '(none)'}; loopback only. Every server is a fresh process per measurement, checked for the right reply before it is loaded.`,
    `- HTTP: \`wrk -t1 -c100\`, ${cfg.warm} s warm-up, then ${cfg.seconds} s measured (\`--latency\` for p50/p99). gRPC: \`h2load -t1 -c4 -m50\` (4 connections x 50 streams) with ${cfg.warm} s \`--warm-up-time\`, then ${cfg.seconds} s; p50/p99 from its per-request log (measured window only).`,
    `- ${cfg.rounds} interleaved round${cfg.rounds > 1 ? 's' : ''} (A B C ... A B C ...). Tables show the median and the min-max spread over the rounds; **vs baseline** is the median of per-round ratios to bare fastify (HTTP) or bare grpc-js (gRPC) measured in the same round, which cancels most of the drift of a shared machine.`,
    '- Server CPU/req: user + system CPU time of the server process during the measured window divided by requests; **by CPU** is the CPU/req of the baseline divided by that of the contender (same round, median), the same comparison made with CPU time instead of throughput, steadier when other processes share the machine. RSS under load: peak VmRSS sampled every 200 ms during the measured window.',
    `- kratos-ts: \`createHttpServer\` / \`createGrpcServer\` with the kratos-layout default chain (\`recovery()\`), code generated from \`packages/cli/template/api/helloworld/v1/greeter.proto\` by buf + protoc-gen-es + @kratos/protoc-gen-kratos, ${cfg.mode === 'dist' ? 'compiled by esbuild with `@kratos/*` running from their built `dist/` (as deployed)' : 'run from the TypeScript sources (`--conditions=kratos-source`)'}. The baselines use the same generated messages/serializers (bare grpc-js) or a plain JSON object (fastify, as a fastify user writes it). Go Kratos: kratos/v2 with \`recovery.Recovery()\`, the HTTP handler written as protoc-gen-go-http generates it, one process (GOMAXPROCS follows the pinning: 1).`,
    `- Server streaming: \`benchstream.v1.StreamGreeter/StreamHellos\` (\`bench/proto\`) answers one request with ${STREAM_REPLIES} replies; loaded like unary gRPC (h2load, same connections and streams), so messages/s = calls/s x ${STREAM_REPLIES}. kratos-ts: the generated registration, an async-generator handler, \`recovery()\` as stream middleware; grpc-js: \`call.write\` x ${STREAM_REPLIES} and \`call.end()\`.`,
    `- Connect JSON: the \`kratos-rpc\` server called as a browser's Connect client does, \`POST /helloworld.v1.Greeter/SayHello\` with \`{"name":"bench"}\` over HTTP/1.1 (wrk, a Lua script sets method, body and content type), in the HTTP table next to the REST route of @kratos/http (\`GET /helloworld/{name}\`) and to the same RPC bound on @kratos/http as \`POST /helloworld\` with \`body: "*"\` and the same JSON body (\`kratos-http-post\`: a request with a body, which Node reads at a cost a GET does not pay). The Connect GET row sends the same call as \`@connectrpc/connect-web\` does with \`useHttpGet\` for a side-effect-free method (\`GET /helloworld.v1.Greeter/SayHello?connect=v1&encoding=json&message=...\`, no body): like for like with the REST GET.`,
    "- Full chain: kratos-ts with `recovery()`, `serverTracing` (an OpenTelemetry SDK `BasicTracerProvider`: spans recorded, none exported), `serverMetrics` (Prometheus, with the default process metrics) and `serverLogging` (pino, one line per request to a file). **fastify + the same by hand**: those features written inline in the bare fastify route, no framework (`bench/contenders/fastify-full.mjs`: an SDK span, prom-client's two series, a `pino.info` line to a `pino.destination` file): what they cost on their own.",
    '',
  ];
  for (const [transport, rows, title] of [
    ['http', http, 'HTTP'],
    ['grpc', grpc, 'gRPC (unary)'],
    ['grpc-stream', stream, `gRPC server streaming (${STREAM_REPLIES} replies per call)`],
  ]) {
    if (rows.length === 0) continue;
    lines.push(`## ${title}`, '', loadTable(rows, transport), '');
    if (transport === 'grpc-stream')
      lines.push(
        `Messages/s: ${rows
          .filter((r) => !r.skipped)
          .map((r) => `${r.label} ${fmtInt(r.rps * STREAM_REPLIES)}`)
          .join(', ')} (medians x ${STREAM_REPLIES}).`,
        '',
      );
    const compared = compareLines(rows);
    if (compared.length) lines.push(...compared, '');
    const failed = rows.filter((r) => r.failed.length > 0);
    for (const r of failed) lines.push(`- ${r.label}: ${r.failed.length} round(s) failed: ${r.failed[0]}`);
    if (failed.length) lines.push('');
  }
  lines.push(
    '## Start-up and memory',
    '',
    `Cold start: from spawning the process to its port accepting connections (median of ${cfg.starts}, pinned like the runs). Idle RSS: 1 s after listening, having answered one request.`,
    '',
    table(
      ['contender', 'transport', 'cold start (median)', 'spread', 'idle RSS', 'RSS under load'],
      active
        .filter((c) => startup.has(c.id))
        .map((c) => {
          const s = startup.get(c.id);
          const [lo, hi] = spread(s.startMs);
          const row = [...http, ...grpc, ...stream].find((r) => r.id === c.id);
          return [
            c.label,
            c.transport === 'http' ? 'HTTP' : c.transport === 'grpc' ? 'gRPC' : 'gRPC stream',
            `${median(s.startMs).toFixed(0)} ms`,
            `${lo.toFixed(0)}-${hi.toFixed(0)} ms`,
            fmt1(median(s.idleRss), ' MB'),
            row ? fmt1(row.peakRss, ' MB') : 'n/a',
          ];
        }),
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ),
    '',
    cfg.mode === 'dist'
      ? 'The TypeScript contenders (kratos-ts, and bare grpc-js, whose contender file is TypeScript too) run as deployed: each compiled to one .mjs by esbuild with every package external, so `@kratos/*` load their built `dist/` JavaScript and nothing is type-stripped at start-up.'
      : 'kratos-ts runs here from its TypeScript sources (`--source`, or nothing built): Node strips the types as it loads each file, which costs start-up time and memory that an installed package, running its built `dist/` JavaScript, does not pay.',
    '',
    '## gRPC client: kratos-ts `discovery:///` + p2c vs a direct grpc-js client',
    '',
    `One bare grpc-js server (CPU ${cfg.serverCpu ?? '-'}); the client process on CPU ${cfg.loadCpu ?? '-'} keeps 50 calls in flight for ${cfg.seconds} s after ${cfg.warm} s warm-up. kratos-ts: \`createGrpcClient({ endpoint: 'discovery:///greeter', discovery })\` over a memory registry with the default p2c selector and default 2 s deadline; direct: \`new grpc.Client(addr)\` + \`makeUnaryRequest\` with the same serializers and no deadline. The client is the bottleneck here, so calls/s and client CPU per call measure the client stack.`,
    '',
    table(
      ['client', 'calls/s (median)', 'spread', 'p50', 'p99', 'vs direct', 'client CPU/call'],
      [clientRow('direct', 'grpc-js direct'), clientRow('kratos', 'kratos-ts discovery + p2c')],
    ),
    '',
    '## Selector pick time',
    '',
    'From `bench/selector/pick.ts`: `selector.select(ctx).done({})` in a loop, ns per pick after warm-up.',
    '',
    selector ? table(['balancer', 'nodes', 'ns/pick'], selector) : '_not measured (see notes)_',
    '',
  );
  if (profiles.length) {
    lines.push('## CPU profiles', '');
    lines.push(
      cfg.quick
        ? 'Quick mode profiles the kratos-ts contenders always (to keep the step working); full mode only when one trails its baseline by more than 10 %.'
        : 'A kratos-ts contender under 0.90x of its bare baseline is profiled (`node --cpu-prof`, same load) and its self time summarised here.',
      '',
    );
    for (const p of profiles) {
      const b = p.baseline;
      lines.push(
        `### ${p.label} (${p.transport === 'http' ? 'HTTP' : 'gRPC'}, ${fmtRatio(p.ratio)} of ${b.id}) next to ${b.id}`,
        '',
        'Self time by owner, share of each profile (both include idle time and the start-up):',
        '',
      );
      const owners = [
        ...new Set(
          [...p.summary.byOwner.slice(0, 10), ...b.summary.byOwner.slice(0, 10)].map((o) => o.owner),
        ),
      ];
      const share = (s, o) => s.byOwner.find((x) => x.owner === o)?.pct ?? 0;
      lines.push(
        table(
          ['owner', p.label, b.id],
          owners
            .sort((x, y) => share(p.summary, y) - share(p.summary, x))
            .map((o) => [o, `${share(p.summary, o).toFixed(1)} %`, `${share(b.summary, o).toFixed(1)} %`]),
        ),
        '',
        `Hottest functions of ${p.label} (share in ${b.id} alongside; \`-\` = not among its top 25):`,
        '',
        table(
          ['function', 'where', p.label, b.id],
          p.summary.byFunction.slice(0, 15).map((f) => {
            const inBase = b.summary.byFunction.find((x) => x.name === f.name && x.where === f.where);
            return [
              `\`${f.name}\``,
              f.where,
              `${f.pct.toFixed(1)} %`,
              inBase ? `${inBase.pct.toFixed(1)} %` : '-',
            ];
          }),
          ['l', 'l', 'r', 'r'],
        ),
        '',
      );
    }
  }
  const skippedList = [...skipped].filter(([id]) => active.some((c) => c.id === id));
  if (skippedList.length || notes.length) {
    lines.push('## Skipped and notes', '');
    for (const [id, reason] of skippedList) lines.push(`- \`${id}\` skipped: ${reason}`);
    for (const n of notes) lines.push(`- ${n}`);
    lines.push('');
  }
  if (analysis) lines.push(analysis.trim(), '');
  lines.push(
    '## Reproduce',
    '',
    '```sh',
    '. scripts/toolchain.sh',
    'pnpm bench                   # full run, rewrites this file and the SVG charts (~11 min)',
    'node bench/run.mjs --quick   # < 2 min smoke run, writes bench/.results/',
    '```',
    '',
  );
  return { markdown: lines.join('\n'), httpSvg: chart(http, 'http'), grpcSvg: chart(grpc, 'grpc') };
}
