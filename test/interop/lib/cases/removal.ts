import type { ServiceInstance } from '@kratos/core';
import { nextMatching } from '@kratos/testkit';
import { describe, expect, it } from 'vitest';
import { helloworldRegistries, type InteropFixture, ids, sorted } from '../fixture.ts';
import type { GoService } from '../go.ts';
import { startRegisteredChild, startTsHelloworld, startTsRelay } from '../ts.ts';

/** Deregistration, expiry and removal, seen from the other language's watcher. */
export function describeRemoval(f: InteropFixture): void {
  const { service, watchFromGo, goService, keepOneOf, goWatcherHolds, expiry, expiryTestMs, backend } = f;
  describe('deregistration and removal', () => {
    /** The instance a Go service registered. */
    const goInstance = (svc: GoService, name: string): ServiceInstance => ({
      id: svc.id,
      name,
      version: 'v1.0.0',
      metadata: { lang: 'go' },
      endpoints: svc.endpoints,
    });
    /** The id under which kratos-ts discovery lists `instance` (nacos: the server's instance id). */
    const tsId = (instance: ServiceInstance) => backend.readBack(instance, 'grpc', 'ts').id;

    // App.Stop is what Go Kratos' SIGTERM handler calls; the fixture calls it when stdin closes.
    // (A SIGTERM sent right after start-up can kill a Go Kratos app before it deregisters: App.Run
    // installs its signal handler only after the after-start hooks, see docs/interop.md.)
    it('a Go service stopping (App.Stop, as on SIGTERM) deregisters and leaves the kratos-ts watcher', async () => {
      const watcher = await f.registry.watch(service('dereg-go'));
      const svc = await goService({ name: 'dereg-go' });
      try {
        const id = tsId(goInstance(svc, 'dereg-go'));
        await nextMatching(watcher, (set) => ids(set).includes(id), 10_000);
        expect(await svc.stop()).toBe(0);
        expect(svc.lines.map((l) => l.event)).toEqual(['started', 'stopped']);
        await nextMatching(watcher, (set) => set.length === 0, 5_000);
      } finally {
        await svc.stop(1000);
        await watcher.stop();
      }
    });

    it(
      `a killed Go service leaves the kratos-ts watcher when its ${backend.name} registration expires (${expiry} s)`,
      async () => {
        const watcher = await f.registry.watch(service('killed-go'));
        const svc = await goService({ name: 'killed-go', ttl: `${expiry}s` });
        try {
          const id = tsId(goInstance(svc, 'killed-go'));
          await nextMatching(watcher, (set) => ids(set).includes(id), 10_000);
          await svc.signal('SIGKILL');
          await nextMatching(watcher, (set) => set.length === 0, backend.removalSeconds * 1000);
        } finally {
          await watcher.stop();
        }
      },
      expiryTestMs,
    );

    if (helloworldRegistries.includes(backend.name)) {
      it('the kratos-ts helloworld deregistering on SIGTERM leaves the Go Kratos watcher', async () => {
        const watcher = await watchFromGo('dereg-ts');
        const hw = await startTsHelloworld(f.registryUrl, 'dereg-ts');
        try {
          const [instance] = await watcher.next((set) => set.length === 1, 20_000);
          expect(instance).toMatchObject({ name: 'dereg-ts', version: 'v1.0.0' });
          expect(instance?.endpoints.map((e) => e.replace(/:\d+.*$/, ''))).toEqual([
            'http://127.0.0.1',
            'grpc://127.0.0.1',
          ]);
          expect(await hw.stop()).toBe(0);
          await watcher.next((set) => set.length === 0, 5_000);
        } finally {
          await hw.stop();
          await watcher.stop();
        }
      });
    }

    it('a kratos-ts App deregistering on stop leaves the Go Kratos watcher', async () => {
      const keeper = await keepOneOf('dereg-app');
      const watcher = await watchFromGo('dereg-app');
      const app = await startTsRelay({
        name: 'dereg-app',
        registrar: f.registry,
        discovery: f.registry,
        discoveryName: service,
      });
      try {
        const want = backend.readBack(app.instance, 'grpc', 'go');
        const set = await goWatcherHolds(watcher, [...keeper.ids, want.id], 20_000);
        expect(sorted(set.find((i) => i.id === want.id))).toEqual(sorted(want));
        await app.stop();
        await goWatcherHolds(watcher, keeper.ids, 5_000);
      } finally {
        await app.stop();
        await watcher.stop();
        await keeper.stop();
      }
    });

    it(
      `a killed kratos-ts process leaves the Go Kratos watcher when its ${backend.name} registration expires (${expiry} s)`,
      async () => {
        const keeper = await keepOneOf('killed-ts');
        const watcher = await watchFromGo('killed-ts');
        // Port 0: the child listens on a port of its own (consul's TCP check connects to it).
        const child = await startRegisteredChild(
          f.registryUrl,
          {
            id: 'killed-ts-1',
            name: 'killed-ts',
            version: 'v1.0.0',
            metadata: {},
            endpoints: ['grpc://127.0.0.1:0?isSecure=false'],
          },
          expiry,
        );
        try {
          const id = backend.readBack(child.instance, 'grpc', 'go').id;
          await goWatcherHolds(watcher, [...keeper.ids, id], 20_000);
          await child.kill();
          await goWatcherHolds(watcher, keeper.ids, backend.removalSeconds * 1000);
        } finally {
          await child.kill();
          await watcher.stop();
          await keeper.stop();
        }
      },
      expiryTestMs,
    );
  });
}
