import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * Which overload signal a BBR limiter reads, both in per mille (0-1000):
 * - `elu`: event-loop utilisation, the share of time the loop was busy running JavaScript and
 *   callbacks instead of waiting for I/O. A Node process serves all requests on one thread, so
 *   this is the resource that saturates first.
 * - `cpu`: CPU usage of the container (cgroup v2 `cpu.stat` usage_usec over `cpu.max`, or cgroup
 *   v1 `cpuacct.usage` over `cpu.cfs_quota_us`), else of this process over the cores it may use.
 *   This is Go Kratos' signal.
 */
export type LoadSignal = 'elu' | 'cpu';

/** Sampling period of the shared sampler, as Go's aegis (500 ms). */
export const SAMPLE_INTERVAL_MS = 500;
/** Weight of the previous value in the moving average, as Go's aegis: cpu = prev*0.95 + now*0.05. */
const DECAY = 0.95;

interface CpuProbe {
  /** Microseconds of CPU used so far. */
  usage(): number;
  /** CPUs this probe's usage is measured against. */
  readonly capacity: number;
  readonly source: 'cgroup-v2' | 'cgroup-v1' | 'process';
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Cores this process may use: affinity (taskset) and, when set, the cgroup quota. */
function cores(quota: number | undefined): number {
  const n = availableParallelism();
  return quota !== undefined && quota > 0 ? Math.min(n, quota) : n;
}

/** Finds the best CPU source; exported for the benchmark and tests. */
export function createCpuProbe(root = '/sys/fs/cgroup'): CpuProbe {
  const v2stat = readText(`${root}/cpu.stat`);
  const v2usage = v2stat === undefined ? undefined : /^usage_usec (\d+)$/m.exec(v2stat);
  if (v2usage) {
    const max = readText(`${root}/cpu.max`)?.trim().split(/\s+/);
    const quota = max && max[0] !== 'max' && max[1] ? Number(max[0]) / Number(max[1]) : undefined;
    return {
      source: 'cgroup-v2',
      capacity: cores(quota),
      usage: () => {
        const m = /^usage_usec (\d+)$/m.exec(readText(`${root}/cpu.stat`) ?? '');
        return m ? Number(m[1]) : Number.NaN;
      },
    };
  }
  const v1usage = readText(`${root}/cpuacct/cpuacct.usage`);
  if (v1usage !== undefined && /^\d+\s*$/.test(v1usage)) {
    const q = Number(readText(`${root}/cpu/cpu.cfs_quota_us`));
    const p = Number(readText(`${root}/cpu/cpu.cfs_period_us`));
    const quota = q > 0 && p > 0 ? q / p : undefined;
    return {
      source: 'cgroup-v1',
      capacity: cores(quota),
      usage: () => Number(readText(`${root}/cpuacct/cpuacct.usage`)) / 1000,
    };
  }
  return {
    source: 'process',
    capacity: cores(undefined),
    usage: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
  };
}

interface SamplerState {
  refs: number;
  timer: NodeJS.Timeout | undefined;
  cpu: number;
  elu: number;
  probe: CpuProbe | undefined;
  lastCpu: number;
  lastAt: number;
  lastElu: ReturnType<typeof performance.eventLoopUtilization> | undefined;
}

const state: SamplerState = {
  refs: 0,
  timer: undefined,
  cpu: 0,
  elu: 0,
  probe: undefined,
  lastCpu: 0,
  lastAt: 0,
  lastElu: undefined,
};

function sample(): void {
  const now = performance.now();
  const probe = state.probe!;
  const used = probe.usage();
  const elapsedUs = (now - state.lastAt) * 1000;
  if (Number.isFinite(used) && elapsedUs > 0) {
    const cpu = Math.min(1000, ((used - state.lastCpu) * 1000) / (elapsedUs * probe.capacity));
    state.cpu = state.cpu * DECAY + Math.max(0, cpu) * (1 - DECAY);
    state.lastCpu = used;
  }
  state.lastAt = now;
  const elu = performance.eventLoopUtilization();
  const delta = performance.eventLoopUtilization(elu, state.lastElu);
  state.lastElu = elu;
  state.elu = state.elu * DECAY + Math.min(1000, delta.utilization * 1000) * (1 - DECAY);
}

/**
 * Starts the one sampler shared by every limiter (a single unref'd 500 ms interval), or counts
 * one more user of it. Pair with {@link releaseLoadSampler}.
 */
export function acquireLoadSampler(): void {
  if (state.refs++ > 0) return;
  state.probe ??= createCpuProbe();
  state.lastAt = performance.now();
  state.lastCpu = state.probe.usage();
  state.lastElu = performance.eventLoopUtilization();
  state.timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  state.timer.unref();
}

/** One user fewer; the interval stops with the last one (the averages are kept). */
export function releaseLoadSampler(): void {
  if (state.refs === 0) return;
  if (--state.refs === 0 && state.timer) {
    clearInterval(state.timer);
    state.timer = undefined;
  }
}

/** The moving average of a signal, per mille. */
export function loadOf(signal: LoadSignal): number {
  return signal === 'cpu' ? state.cpu : state.elu;
}

/** Both averaged signals and where CPU usage is read from (for stats and the benchmark). */
export function loadSnapshot(): { cpu: number; elu: number; cpuSource: string | undefined } {
  return { cpu: Math.round(state.cpu), elu: Math.round(state.elu), cpuSource: state.probe?.source };
}
