import { findRepoRoot } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { registryKinds } from './lib/registries.ts';
import { formatScenario } from './lib/report.ts';
import { quickProfile, runScenario, type ScenarioName } from './lib/scenarios.ts';

// The quick form of `node test/reliability/run.mjs --quick`: the helloworld example's two
// instances registered in a real etcd / ZooKeeper (started here through scripts/servers), 10 calls
// in flight per transport through discovery:///helloworld with p2c, 2 s per call. Each case
// counts every call it made; the table of the run is the assertion message.
const root = findRepoRoot(import.meta.dirname);
const bound = quickProfile.boundMs + 30_000;
const run = (scenario: ScenarioName, registry: (typeof registryKinds)[number]) =>
  runScenario({ scenario, registry, profile: quickProfile, root });

describe.each(registryKinds)('helloworld under faults, registered in %s (quick form)', (registry) => {
  it(
    'without a fault both transports complete their calls',
    async () => {
      const s = await run('none', registry);
      const table = formatScenario(s);
      expect(s.results.map((r) => r.transport)).toEqual(['http', 'grpc']);
      for (const r of s.results) {
        expect(r.calls - r.failed, table).toBeGreaterThan(0);
        expect(r.hung, table).toBe(0);
      }
    },
    bound,
  );

  it(
    'rolling restart (SIGTERM A, restart A, SIGTERM B, restart B): 0 failed calls on HTTP and gRPC',
    async () => {
      const s = await run('rolling-restart', registry);
      const table = formatScenario(s);
      for (const r of s.results) {
        expect(r.calls, table).toBeGreaterThan(0);
        expect({ transport: r.transport, failed: r.failed, hung: r.hung }, table).toEqual({
          transport: r.transport,
          failed: 0,
          hung: 0,
        });
      }
    },
    bound,
  );

  it(
    'SIGKILL of 1 of 2 instances: 0 failed among the calls that never reached the killed process',
    async () => {
      const s = await run('sigkill', registry);
      const table = formatScenario(s);
      for (const r of s.results) {
        expect(r.calls, table).toBeGreaterThan(0);
        expect(r.crash, table).toBeDefined();
        // Only the calls in flight on the killed process may fail; they are counted, not limited.
        expect(r.failed, table).toBe((r.crash?.inFlightFailed ?? 0) + (r.crash?.neverReachedFailed ?? 0));
        expect(
          { transport: r.transport, neverReachedFailed: r.crash?.neverReachedFailed, hung: r.hung },
          table,
        ).toEqual({ transport: r.transport, neverReachedFailed: 0, hung: 0 });
      }
    },
    bound,
  );

  it(
    `${registry} down, back, then a deploy (SIGTERM A, restart A): 0 failed calls on HTTP and gRPC`,
    async () => {
      const s = await run('registry-restart', registry);
      const table = formatScenario(s);
      for (const r of s.results) {
        expect(r.calls, table).toBeGreaterThan(0);
        expect({ transport: r.transport, failed: r.failed, hung: r.hung }, table).toEqual({
          transport: r.transport,
          failed: 0,
          hung: 0,
        });
      }
    },
    bound,
  );
});
