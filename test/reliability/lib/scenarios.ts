import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@kratos/testkit';
import { createInstance, type Instance, killAll } from './instances.ts';
import { type Load, type LoadResult, startLoad, transports } from './load.ts';
import {
  type OwnedDiscovery,
  type RegistryKind,
  type RegistryServer,
  startRegistry,
  stopRegistry,
} from './registries.ts';

export type ScenarioName = 'none' | 'rolling-restart' | 'sigkill' | 'registry-restart';
export const scenarioNames: readonly ScenarioName[] = [
  'none',
  'rolling-restart',
  'sigkill',
  'registry-restart',
];

export const scenarioTitles: Record<ScenarioName, string> = {
  none: 'no fault',
  'rolling-restart': 'rolling restart: SIGTERM A, restart A, SIGTERM B, restart B',
  sigkill: 'SIGKILL of 1 of 2 instances',
  'registry-restart': 'registry down, back, then a deploy (SIGTERM A, restart A)',
};

/** How long and how hard: the quick form for the test suite, the full form for the doc. */
export interface Profile {
  /** Calls in flight per transport. */
  concurrency: number;
  /** Per-call timeout, ms. */
  timeoutMs: number;
  /** Load without fault, ms. */
  steadyMs: number;
  /** Pause after an instance is registered (a deploy tool's "min ready"), and before a fault. */
  settleMs: number;
  /** Load after the SIGKILL; the full form runs past the registry's expiry of the dead instance. */
  afterKillMs: (reg: RegistryServer) => number;
  /** How long the registry server stays down. */
  outageMs: number;
  /** From the registry's return to the deploy. */
  afterBackMs: number;
  /** Bound of one whole scenario, ms. */
  boundMs: number;
}

export const quickProfile: Profile = {
  concurrency: 10,
  timeoutMs: 2_000,
  steadyMs: 3_000,
  settleMs: 1_000,
  afterKillMs: () => 4_000,
  outageMs: 3_000,
  afterBackMs: 3_000,
  boundMs: 150_000,
};

export const fullProfile: Profile = {
  concurrency: 50,
  timeoutMs: 2_000,
  steadyMs: 30_000,
  settleMs: 3_000,
  afterKillMs: (reg) => reg.expiryMs + 5_000,
  outageMs: 10_000,
  afterBackMs: 3_000,
  boundMs: 300_000,
};

export interface ScenarioOptions {
  scenario: ScenarioName;
  registry: RegistryKind;
  profile: Profile;
  /** Repository root (examples/helloworld and scripts/servers live there). */
  root: string;
  /** Progress lines. Default: none. */
  progress?: (line: string) => void;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  registry: RegistryKind;
  durationMs: number;
  results: LoadResult[];
  /** What happened when (ms from the start of the load), for the report. */
  timeline: string[];
}

const SERVICE = 'helloworld';

/**
 * Runs one scenario: a fresh registry server, two helloworld instances (A, B) registered in it,
 * load on both transports through `discovery:///helloworld` (p2c), the fault, then counts.
 * Everything it starts is stopped before it returns or throws.
 */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const p = o.profile;
  const say = (line: string) => o.progress?.(`[${o.registry} ${o.scenario}] ${line}`);
  const t0 = performance.now();
  const timeline: string[] = [];
  const controller = new AbortController();
  const signal = controller.signal;
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  const dir = mkdtempSync(join(tmpdir(), `kratos-reliability-${o.registry}-${o.scenario}-`));

  let reg: RegistryServer | undefined;
  let observer: OwnedDiscovery | undefined;
  const instances: Instance[] = [];
  let loads: Load[] = [];
  let loadStart = 0;
  const mark = (what: string, phase = true) => {
    timeline.push(`${((performance.now() - loadStart) / 1000).toFixed(1)} s ${what}`);
    if (phase) for (const l of loads) l.phase(what);
    say(what);
  };

  const registered = async (inst: Instance) => {
    const id = inst.id;
    await waitFor(
      async () => {
        if (!inst.running) throw new Error(`instance ${inst.label} exited before it registered`);
        try {
          return (await observer!.getService(SERVICE)).some((s) => s.id === id);
        } catch {
          return false;
        }
      },
      { timeout: 30_000, interval: 50, message: `instance ${inst.label} (${id}) registered` },
    );
  };
  const stopGracefully = async (inst: Instance) => {
    const exit = await inst.stop('SIGTERM');
    if (exit.code !== 0)
      throw new Error(`instance ${inst.label} exited with ${exit.code ?? exit.signal} after SIGTERM`);
  };

  const body = async (): Promise<LoadResult[]> => {
    say('starting the registry server');
    reg = await startRegistry(o.registry, o.root);
    observer = reg.discovery();
    for (const label of ['A', 'B']) {
      const inst = createInstance({
        label,
        root: o.root,
        dir: join(dir, label),
        httpPort: await freePort(),
        grpcPort: await freePort(),
        registry: reg.url,
        name: SERVICE,
      });
      instances.push(inst);
      inst.start();
    }
    const [a, b] = instances as [Instance, Instance];
    say('starting instances A and B');
    await Promise.all(instances.map(registered));

    loads = transports.map((transport) =>
      startLoad({
        transport,
        discovery: reg!.discovery(),
        service: SERVICE,
        concurrency: p.concurrency,
        timeoutMs: p.timeoutMs,
      }),
    );
    loadStart = performance.now();
    await Promise.all(loads.map((l) => l.ready(30_000)));
    await sleep(p.settleMs);

    switch (o.scenario) {
      case 'none':
        mark('steady load');
        await sleep(p.steadyMs);
        break;
      case 'rolling-restart':
        for (const inst of [a, b]) {
          mark(`SIGTERM ${inst.label}`);
          await stopGracefully(inst);
          mark(`${inst.label} exited, restarting it`);
          inst.start();
          await registered(inst);
          mark(`${inst.label} registered again`);
          await sleep(p.settleMs);
        }
        break;
      case 'sigkill': {
        mark('SIGKILL B');
        // Same tick: the calls in flight on B are taken before the signal goes out.
        for (const l of loads) l.markCrash(l.transport === 'http' ? b.httpAddress : b.grpcAddress);
        const killed = b.stop('SIGKILL');
        await killed;
        mark('B gone');
        await sleep(p.afterKillMs(reg));
        break;
      }
      case 'registry-restart':
        mark(`${o.registry} stopped`);
        await reg.server.stop();
        await sleep(p.outageMs);
        mark(`${o.registry} starting again`);
        await reg.server.restart();
        mark(`${o.registry} back`);
        await sleep(p.afterBackMs);
        mark('SIGTERM A (deploy)');
        await stopGracefully(a);
        mark('A exited, restarting it');
        a.start();
        await registered(a);
        mark('A registered again');
        await sleep(p.settleMs);
        break;
    }
    mark('stopping the load', false);
    const results = await Promise.all(loads.map((l) => l.stop()));
    loads = [];
    return results;
  };

  let bound: NodeJS.Timeout | undefined;
  let ok = false;
  try {
    const results = await Promise.race([
      body(),
      new Promise<never>((_, reject) => {
        bound = setTimeout(() => {
          const err = new Error(
            `scenario ${o.scenario} on ${o.registry} did not finish within ${p.boundMs} ms`,
          );
          controller.abort(err);
          reject(err);
        }, p.boundMs);
      }),
    ]);
    ok = true;
    return {
      scenario: o.scenario,
      registry: o.registry,
      durationMs: performance.now() - t0,
      results,
      timeline,
    };
  } catch (err) {
    // The instances' output stays for a look; the message says where.
    throw new Error(`${(err as Error).message ?? err} (instance logs: ${dir})`, { cause: err });
  } finally {
    clearTimeout(bound);
    controller.abort(new Error('scenario over'));
    await cleanup(ok);
  }

  async function cleanup(removeLogs: boolean): Promise<void> {
    await Promise.allSettled(loads.map((l) => l.stop()));
    await Promise.allSettled(instances.map((i) => i.stop('SIGTERM', 10_000)));
    killAll();
    await observer?.close().catch(() => {});
    if (reg) await stopRegistry(reg).catch(() => {});
    if (removeLogs) rmSync(dir, { recursive: true, force: true });
  }
}
