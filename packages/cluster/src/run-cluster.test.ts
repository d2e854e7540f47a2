import { availableParallelism } from 'node:os';
import { createMemoryRegistry } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { clusterWorker, createClusterApp, resolveWorkers, runCluster } from './index.ts';

describe('resolveWorkers', () => {
  it('takes the option, else KRATOS_WORKERS, else 1; auto is one per core', () => {
    expect(resolveWorkers(3, {})).toBe(3);
    expect(resolveWorkers(undefined, { KRATOS_WORKERS: '4' })).toBe(4);
    expect(resolveWorkers(2, { KRATOS_WORKERS: '4' })).toBe(2);
    expect(resolveWorkers(undefined, {})).toBe(1);
    expect(resolveWorkers('auto', {})).toBe(availableParallelism());
    expect(resolveWorkers(undefined, { KRATOS_WORKERS: 'auto' })).toBe(availableParallelism());
    expect(resolveWorkers(0, {})).toBe(1);
  });

  it('refuses what is not a count, naming where it came from', () => {
    expect(() => resolveWorkers(undefined, { KRATOS_WORKERS: 'many' })).toThrow(
      /workers must be an integer or 'auto', got "many" \(from KRATOS_WORKERS\)/,
    );
    expect(() => resolveWorkers(1.5, {})).toThrow(TypeError);
  });
});

describe('one worker: no cluster', () => {
  it('runs main in this process and resolves when it does', async () => {
    let ranIn = 0;
    await runCluster({
      workers: 1,
      main: async () => {
        ranIn = process.pid;
      },
    });
    expect(ranIn).toBe(process.pid);
    expect(clusterWorker()).toBeUndefined();
  });

  it('createClusterApp is createApp: registers with its registrar and id, deregisters on stop', async () => {
    const registry = createMemoryRegistry();
    const app = createClusterApp({
      id: 'one',
      name: 'solo',
      registrar: registry,
      signals: [],
      drainDelay: 0,
    });
    let registered: string[] = [];
    const running = app.run();
    const watcher = await registry.watch('solo');
    for await (const set of watcher) {
      registered = set.map((i) => i.id);
      if (registered.length > 0) break;
    }
    expect(registered).toEqual(['one']);
    await app.stop();
    await running;
    expect(await registry.getService('solo')).toEqual([]);
    await watcher.stop();
  });
});
