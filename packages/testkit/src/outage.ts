import type { Discovery, Registrar, ServiceInstance, ServiceWatcher } from '@kratos/core';
import { expect } from 'vitest';
import type { StartedServer } from './servers.ts';
import { uniqueName } from './unique-name.ts';
import { waitFor } from './wait.ts';
import { nextMatching } from './watch.ts';

/** What {@link checkRegistryOutage} drives. */
export interface RegistryOutageSubject {
  /** A server the check may stop and restart; the caller stops it for good afterwards. */
  server: Pick<StartedServer, 'stop' | 'restart'>;
  registrar: Registrar;
  discovery: Discovery;
  /** The name discovery serves a registered name under (Polaris: `${name}grpc`). Default: the same. */
  discoveredName?(name: string): string;
  /**
   * Awaited while the server is down, after `getService` has failed: waits for the adapter's
   * warning, or checks the watchers publish nothing.
   */
  whileDown?(watchers: ServiceWatcher[]): Promise<unknown>;
  /**
   * The server forgets registrations when it restarts (in-memory backends: Discovery, Nacos'
   * ephemeral instances, Consul in dev mode): watchers may rightly serve the empty set the server
   * reports until the adapter has registered again. Default false: no set read may be empty.
   */
  restartsEmpty?: boolean;
  /** How many watchers of the service to open (they should share one backend watch). Default 1. */
  watchers?: number;
  /** What the failed `getService` must match (as `toThrow` takes it). Default: any error. */
  downError?: RegExp | string;
  /** Bound of the wait for the first set. Default 10000 ms. */
  timeoutMs?: number;
  /** Bound of each watcher's wait for the set after the restart. Default 30000 ms. */
  convergeTimeoutMs?: number;
}

const instance = (name: string, id: string, port: number): ServiceInstance => ({
  id,
  name,
  version: 'v1',
  metadata: {},
  endpoints: [`grpc://127.0.0.1:${port}`],
});

/**
 * The outage every registry adapter must ride out: instance `a` is registered and watched; the
 * server stops and `getService` rejects; the server restarts and `b` is registered (retried while
 * the client reconnects, within the converge timeout); every
 * watcher then converges to `a` and `b` (`a` back through the backend's persistence or the
 * adapter's own re-registration), and none of the sets it reads on the way is empty, since
 * watchers keep the last good set through an outage (unless `restartsEmpty`). Instances are told apart by endpoint
 * (`grpc://127.0.0.1:9000` and `:9001`), so backends that assign their own ids pass too. The
 * watchers are stopped at the end; the caller closes the registry clients and the server.
 */
export async function checkRegistryOutage(subject: RegistryOutageSubject): Promise<void> {
  const name = uniqueName('svc');
  const discovered = subject.discoveredName?.(name) ?? name;
  const convergeTimeout = subject.convergeTimeoutMs ?? 30_000;
  await subject.registrar.register(instance(name, 'a', 9000));
  const watchers: ServiceWatcher[] = [];
  try {
    for (let i = 0; i < (subject.watchers ?? 1); i++) {
      const w = await subject.discovery.watch(discovered);
      watchers.push(w);
      await nextMatching(w, (set) => set.length === 1, subject.timeoutMs ?? 10_000);
    }

    await subject.server.stop();
    await expect(subject.discovery.getService(discovered)).rejects.toThrow(subject.downError);
    await subject.whileDown?.(watchers);

    await subject.server.restart();
    // A client reconnects on its own schedule (backoff after the connection loss) and rightly
    // refuses calls until it has: the registration must succeed once it is back.
    await waitFor(() => subject.registrar.register(instance(name, 'b', 9001)).then(() => true), {
      timeout: convergeTimeout,
      interval: 250,
      message: 'registering after the restart',
    });
    for (const w of watchers) {
      const seen: number[] = [];
      const both = await nextMatching(
        w,
        (set) => {
          seen.push(set.length);
          return set.length === 2;
        },
        convergeTimeout,
      );
      expect(both.map((i) => i.endpoints[0]).sort()).toEqual([
        'grpc://127.0.0.1:9000',
        'grpc://127.0.0.1:9001',
      ]);
      // The outage never emptied the set the watcher serves.
      if (!subject.restartsEmpty) expect(seen).not.toContain(0);
    }
  } finally {
    for (const w of watchers) await w.stop();
  }
}
