import { createMemoryRegistry, type ServiceInstance } from '@kratos/core';
import { describe, expect, it } from 'vitest';
import { checkRegistryOutage, recordLogs, silentLogger } from './index.ts';

/** A memory registry behind a "server" that can go down: calls reject while it is. */
function flakyRegistry(options: { losesInstances?: boolean } = {}) {
  const memory = createMemoryRegistry();
  const registered: ServiceInstance[] = [];
  let down = false;
  const unavailable = () => Promise.reject(new Error('connection refused'));
  const registry = {
    register: (i: ServiceInstance) => {
      if (down) return unavailable();
      registered.push(i);
      return memory.register(i);
    },
    deregister: (i: ServiceInstance) => (down ? unavailable() : memory.deregister(i)),
    getService: (name: string) => (down ? unavailable() : memory.getService(name)),
    watch: (name: string) => memory.watch(name),
  };
  const server = {
    async stop() {
      down = true;
      // A buggy backend/adapter pair: what was registered is gone after the outage.
      if (options.losesInstances) for (const i of registered) await memory.deregister(i);
    },
    async restart() {
      down = false;
      return this as never;
    },
  };
  return { registry, server, memory };
}

describe('checkRegistryOutage', () => {
  it('passes a registry whose watchers keep the last set and converge after the restart', async () => {
    const { registry, server, memory } = flakyRegistry();
    const seenWhileDown: number[] = [];
    await checkRegistryOutage({
      server,
      registrar: registry,
      discovery: registry,
      watchers: 2,
      downError: /refused/,
      whileDown: async (watchers) => {
        seenWhileDown.push(watchers.length, memory.activeWatches);
      },
    });
    expect(seenWhileDown).toEqual([2, 1]);
    // The watchers were stopped.
    expect(memory.activeWatches).toBe(0);
  });

  it('fails a registry that loses an instance through the outage', async () => {
    const { registry, server } = flakyRegistry({ losesInstances: true });
    await expect(
      checkRegistryOutage({ server, registrar: registry, discovery: registry, convergeTimeoutMs: 100 }),
    ).rejects.toThrow(/no matching snapshot/);
  });
});

describe('recordLogs', () => {
  it('keeps the lines of the chosen levels as text', () => {
    const { logger, lines } = recordLogs(['warn', 'error']);
    logger.log('info', 'msg', 'started');
    logger.log('warn', 'msg', 'disconnected', 'address', '127.0.0.1:2379');
    logger.log('error', 'msg', 'gave up');
    expect(lines).toEqual(['msg disconnected address 127.0.0.1:2379', 'msg gave up']);
    expect(recordLogs().lines).toEqual([]);
    silentLogger.log('error', 'msg', 'dropped');
  });
});
