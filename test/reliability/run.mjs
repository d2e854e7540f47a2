#!/usr/bin/env node
// Fault scenarios on the helloworld example under load, over HTTP and gRPC, through etcd and
// ZooKeeper, counting calls. See README.md.
//
//   node test/reliability/run.mjs [--quick] [--registry etcd|zookeeper] [--scenario none|rolling-restart|sigkill|registry-restart] [--json FILE]
//
// --registry and --scenario may be repeated or comma-separated; default: all of them.
// Exit status: 0 every target met, 2 some target missed, 1 a scenario could not run.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// The harness imports the workspace packages from source (their `kratos-source` export condition).
if (!process.execArgv.some((a) => a.includes('kratos-source'))) {
  const child = spawn(
    process.execPath,
    ['--conditions=kratos-source', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

function load() {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      registry: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      json: { type: 'string' },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const { scenarioNames, runScenario, quickProfile, fullProfile } = await import('./lib/scenarios.ts');
  const { registryKinds } = await import('./lib/registries.ts');
  const { formatScenario, targetOf } = await import('./lib/report.ts');
  if (values.help) {
    console.log(
      `usage: node test/reliability/run.mjs [--quick] [--registry ${registryKinds.join('|')}] [--scenario ${scenarioNames.join('|')}] [--json FILE]`,
    );
    return;
  }
  const list = (given, all, what) => {
    const picked = (given ?? []).flatMap((v) => v.split(',')).filter(Boolean);
    for (const p of picked) {
      if (!all.includes(p)) {
        console.error(`unknown ${what} "${p}": want one of ${all.join(', ')}`);
        process.exit(1);
      }
    }
    return picked.length > 0 ? picked : [...all];
  };
  const registries = list(values.registry, registryKinds, 'registry');
  const scenarios = list(values.scenario, scenarioNames, 'scenario');
  const root = values.root ? resolve(values.root) : resolve(dirname(import.meta.filename), '../..');
  const profile = values.quick ? quickProfile : fullProfile;

  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (stopping) process.exit(1);
      stopping = true;
      console.error(`[reliability] ${sig}: stopping (the current scenario cleans up)`);
      process.exit(1); // instances are SIGKILLed by the exit hook in lib/instances.ts
    });
  }

  console.error(
    `[reliability] ${values.quick ? 'quick' : 'full'} run: ${scenarios.join(', ')} on ${registries.join(', ')}; ` +
      `${profile.concurrency} calls in flight per transport, ${profile.timeoutMs} ms per call; load average ${load()}`,
  );
  const loadStart = load();
  const out = [];
  let missed = 0;
  let broken = 0;
  for (const registry of registries) {
    for (const scenario of scenarios) {
      try {
        const r = await runScenario({
          scenario,
          registry,
          profile,
          root,
          progress: (line) => console.error(`[reliability] ${line}`),
        });
        out.push(r);
        for (const one of r.results) if (targetOf(r, one).met === false) missed++;
        console.log(`\n${formatScenario(r)}\n`);
      } catch (err) {
        broken++;
        out.push({ scenario, registry, error: String(err?.message ?? err) });
        console.log(`\n### ${scenario} — ${registry}: could not run: ${err?.message ?? err}\n`);
      }
    }
  }
  if (values.json) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ date: new Date().toISOString(), quick: values.quick, load: [loadStart, load()], scenarios: out }, null, 2)}\n`,
    );
  }
  console.error(
    `[reliability] done: ${missed} target(s) missed, ${broken} scenario(s) could not run; load average ${load()}`,
  );
  process.exitCode = broken > 0 ? 1 : missed > 0 ? 2 : 0;
}
